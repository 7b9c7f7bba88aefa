import { Annotation, StateGraph } from '@langchain/langgraph';
import { stepCountIs, tool, ToolLoopAgent } from 'ai';
import { z } from 'zod';
import { batchOpenAI } from 'batch-bridge';

/**
 * An AI SDK ToolLoopAgent inside a node: every step of its loop is one batch request. The tool runs in the node, between
 * two batches, as it would between two synchronous calls.
 */
const orders: Record<string, { status: string; eta: string }> = {
  'A-1001': { status: 'shipped', eta: '2026-12-02' },
  'A-1002': { status: 'held at customs', eta: 'unknown' },
};

const lookupOrder = tool({
  description: 'The shipping status of an order.',
  inputSchema: z.object({ orderId: z.string().describe('The order id, e.g. A-1001') }),
  execute: async ({ orderId }) => orders[orderId] ?? { status: 'no such order', eta: 'unknown' },
});

const agent = new ToolLoopAgent({
  model: batchOpenAI.chat('gpt-4o-mini'),
  instructions: 'You answer questions about orders. Look the order up before you answer.',
  tools: { lookupOrder },
  stopWhen: stepCountIs(4),
});

const State = Annotation.Root({
  question: Annotation<string>(),
  reply: Annotation<string>(),
  steps: Annotation<number>(),
});

export const graph = new StateGraph(State)
  .addNode('agent', async ({ question }) => {
    const result = await agent.generate({ prompt: question });
    return { reply: result.text, steps: result.steps.length };
  })
  .addEdge('__start__', 'agent')
  .compile({ name: 'tool_agent' });
