import { Annotation, Send, StateGraph } from '@langchain/langgraph';
import { embedMany, generateObject, generateText, Output, stepCountIs, streamText, tool, ToolLoopAgent } from 'ai';
import { APICallError } from '@ai-sdk/provider';
import { z } from 'zod';
import { createBatchOpenAI } from '../../../src/index.js';

const model = (bridge: string | undefined) => createBatchOpenAI({ bridge: bridge ?? 'batch_bridge' });

const concat = <T>() => Annotation<T[]>({ reducer: (left, right) => left.concat(right), default: () => [] });

const State = Annotation.Root({
  prompt: Annotation<string>(),
  prompts: Annotation<string[]>(),
  bridge: Annotation<string | undefined>(),
  api: Annotation<'chat' | 'responses' | undefined>(),
  /** The model id; gpt-4o-mini when absent. */
  model: Annotation<string | undefined>(),
  results: concat<Record<string, unknown>>(),
});
type AgentState = typeof State.State;

const chatOrResponses = (state: AgentState) =>
  state.api === 'responses'
    ? model(state.bridge)(state.model ?? 'gpt-4o-mini')
    : model(state.bridge).chat(state.model ?? 'gpt-4o-mini');

/** One generateText call; returns what a user would look at, including an API error it ended with. */
async function ask(state: AgentState) {
  let result;
  try {
    result = await generateText({ model: chatOrResponses(state), prompt: state.prompt });
  } catch (error) {
    if (!APICallError.isInstance(error)) throw error;
    const { name, message, statusCode, isRetryable, responseBody } = error;
    return { results: [{ prompt: state.prompt, error: { name, message, statusCode, isRetryable, responseBody } }] };
  }
  return {
    results: [
      {
        prompt: state.prompt,
        text: result.text,
        finishReason: result.finishReason,
        usage: result.usage,
        batchBridge: result.providerMetadata?.batchBridge,
        responseId: result.response.id,
      },
    ],
  };
}

export const single = new StateGraph(State).addNode('ask', ask).addEdge('__start__', 'ask').compile();

export const sequential = new StateGraph(State)
  .addNode('twice', async (state) => {
    const first = await generateText({ model: chatOrResponses(state), prompt: `${state.prompt} (first)` });
    const second = await generateText({
      model: chatOrResponses(state),
      prompt: `${state.prompt} (second) after: ${first.text}`,
    });
    return { results: [{ text: first.text }, { text: second.text }] };
  })
  .addEdge('__start__', 'twice')
  .compile();

export const fanout = new StateGraph(State)
  .addNode('ask', ask)
  .addConditionalEdges('__start__', (state) =>
    state.prompts.map((prompt) => new Send('ask', { ...state, prompt, prompts: [] })),
  )
  .compile();

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, forecast: `sunny in ${city}` }),
});

export const tools = new StateGraph(State)
  .addNode('loop', async (state) => {
    const result = await generateText({
      model: chatOrResponses(state),
      prompt: state.prompt,
      tools: { weather },
      stopWhen: stepCountIs(4),
    });
    const toolResults = result.steps.flatMap((step) => step.toolResults.map((toolResult) => toolResult.output));
    return { results: [{ text: result.text, steps: result.steps.length, toolResults }] };
  })
  .addEdge('__start__', 'loop')
  .compile();

export const agent = new StateGraph(State)
  .addNode('agent', async (state) => {
    const toolLoop = new ToolLoopAgent({ model: chatOrResponses(state), tools: { weather }, stopWhen: stepCountIs(4) });
    const result = await toolLoop.generate({ prompt: state.prompt });
    const toolResults = result.steps.flatMap((step) => step.toolResults.map((toolResult) => toolResult.output));
    return { results: [{ text: result.text, steps: result.steps.length, toolResults }] };
  })
  .addEdge('__start__', 'agent')
  .compile();

const ticket = z.object({ category: z.enum(['billing', 'bug', 'other']), urgent: z.boolean(), summary: z.string() });

export const structured = new StateGraph(State)
  .addNode('classify', async (state) => {
    const object = await generateObject({ model: chatOrResponses(state), schema: ticket, prompt: state.prompt });
    const output = await generateText({
      model: chatOrResponses(state),
      output: Output.object({ schema: ticket }),
      prompt: `${state.prompt} again`,
    });
    return { results: [{ generateObject: object.object, outputObject: output.output }] };
  })
  .addEdge('__start__', 'classify')
  .compile();

export const embeddings = new StateGraph(State)
  .addNode('embed', async (state) => {
    const result = await embedMany({
      model: model(state.bridge).embedding('text-embedding-3-small'),
      values: state.prompts,
    });
    return {
      results: [
        { embeddings: result.embeddings, usage: result.usage, batchBridge: result.providerMetadata?.batchBridge },
      ],
    };
  })
  .addEdge('__start__', 'embed')
  .compile();

/** streamText as a user writes it, awaiting the text: the run must end with the error that names streamText. */
export const streaming = new StateGraph(State)
  .addNode('stream', async (state) => {
    const result = streamText({ model: chatOrResponses(state), prompt: state.prompt, onError: () => undefined });
    return { results: [{ text: await result.text }] };
  })
  .addEdge('__start__', 'stream')
  .compile();

/** streamText read delta by delta (textStream skips error parts): the run must fail the same way. */
export const streamingDeltas = new StateGraph(State)
  .addNode('stream', async (state) => {
    const result = streamText({ model: chatOrResponses(state), prompt: state.prompt, onError: () => undefined });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    return { results: [{ text }] };
  })
  .addEdge('__start__', 'stream')
  .compile();
