import { Annotation, MemorySaver, Send, StateGraph } from '@langchain/langgraph';
import { generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalEnvironment, type LocalEnvironment } from './support/local-environment.js';

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await environment?.close();
  environment = undefined;
});

const concat = <T>() => Annotation<T[]>({ reducer: (left, right) => left.concat(right), default: () => [] });

describe('local mode: a LangGraph graph invoked in-process', () => {
  it('answers the nodes of a Send fan-out compiled with MemorySaver, without a server, in one batch', async () => {
    environment = await startLocalEnvironment();
    const provider = environment.provider();
    const State = Annotation.Root({
      prompts: Annotation<string[]>(),
      prompt: Annotation<string>(),
      answers: concat<{ prompt: string; text: string; batchId: unknown; mode: unknown }>(),
    });
    const graph = new StateGraph(State)
      .addNode('ask', async ({ prompt }) => {
        const { text, providerMetadata } = await generateText({ model: provider.chat('gpt-4o-mini'), prompt });
        return {
          answers: [
            {
              prompt,
              text,
              batchId: providerMetadata?.batchBridge?.batchId,
              mode: providerMetadata?.batchBridge?.mode,
            },
          ],
        };
      })
      .addConditionalEdges('__start__', ({ prompts }) => prompts.map((prompt) => new Send('ask', { prompt })))
      .compile({ checkpointer: new MemorySaver() });

    const prompts = Array.from({ length: 8 }, (_, index) => `Graph question ${index}`);
    const state = await graph.invoke({ prompts }, { configurable: { thread_id: 'in-process-1' } });

    expect(state.answers).toHaveLength(8);
    for (const answer of state.answers) {
      expect(answer.text).toBe(`Echo: ${answer.prompt}`);
      expect(answer.mode).toBe('local');
    }
    expect(new Set(state.answers.map((answer) => answer.batchId)).size).toBe(1);
    expect(environment.emulator.record().batches).toHaveLength(1);
    expect(environment.lines.join('\n')).toMatch(/local mode \(not in a LangGraph server run\)/);
  });
});
