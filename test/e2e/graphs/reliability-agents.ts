import { Annotation, StateGraph } from '@langchain/langgraph';
import { generateText } from 'ai';
import { createBatchOpenAI } from '../../../src/index.js';

const State = Annotation.Root({
  prompt: Annotation<string>(),
  bridge: Annotation<string | undefined>(),
  busyMs: Annotation<number | undefined>(),
  results: Annotation<Array<Record<string, unknown>>>({
    reducer: (left, right) => left.concat(right),
    default: () => [],
  }),
});
type AgentState = typeof State.State;

const chat = (state: AgentState) => createBatchOpenAI({ bridge: state.bridge ?? 'batch_bridge' }).chat('gpt-4o-mini');

/** A model call next to a branch that keeps the run busy, so the resume arrives while the thread is running. */
export const busy = new StateGraph(State)
  .addNode('ask', async (state) => {
    const { text } = await generateText({ model: chat(state), prompt: state.prompt });
    return { results: [{ text }] };
  })
  .addNode('work', async (state) => {
    // Stands for slow work in the same run (a long tool, a big computation).
    await new Promise((resolve) => setTimeout(resolve, state.busyMs ?? 5000));
    return { results: [{ worked: true }] };
  })
  .addEdge('__start__', 'ask')
  .addEdge('__start__', 'work')
  .compile();

const failedOnce = new Set<string>();

/** A node that fails once after its model call and is retried by LangGraph's retry policy. */
export const retrying = new StateGraph(State)
  .addNode(
    'ask',
    async (state: AgentState) => {
      const { text } = await generateText({ model: chat(state), prompt: state.prompt });
      if (!failedOnce.has(state.prompt)) {
        failedOnce.add(state.prompt);
        throw new Error('a transient failure after the model call');
      }
      return { results: [{ text }] };
    },
    { retryPolicy: { maxAttempts: 3, initialInterval: 0.1, retryOn: () => true } },
  )
  .addEdge('__start__', 'ask')
  .compile();

/** Two model calls started together in one node. */
export const parallel = new StateGraph(State)
  .addNode('both', async (state) => {
    const [first, second] = await Promise.all([
      generateText({ model: chat(state), prompt: `${state.prompt} one` }),
      generateText({ model: chat(state), prompt: `${state.prompt} two` }),
    ]);
    return { results: [{ first: first.text, second: second.text }] };
  })
  .addEdge('__start__', 'both')
  .compile();
