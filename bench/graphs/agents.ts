import { createOpenAI } from '@ai-sdk/openai';
import { Annotation, interrupt, Send, StateGraph } from '@langchain/langgraph';
import { generateText } from 'ai';
import { createBatchOpenAI } from '../../src/index.js';
import { seedWait } from '../seed/seed-wait.js';

/**
 * The agents the benchmark runs, one per variant, each in two shapes: `<variant>` (one call in a thread) and
 * `<variant>_fanout` (one Send task per prompt in one thread). Every node answers the same way, so the variants differ
 * only in how the model call is made.
 */
const State = Annotation.Root({
  prompt: Annotation<string>(),
  prompts: Annotation<string[]>(),
  /** One short entry per answered prompt; kept small so that the agent threads do not dominate what is measured. */
  answers: Annotation<number>({ reducer: (left, right) => left + right, default: () => 0 }),
});
type AgentState = typeof State.State;
type Answer = (prompt: string) => Promise<string>;

/** The floor: the same run, no model call. */
const noModel: Answer = async (prompt) => prompt;

/** Without the bridge: the official provider's synchronous call to the emulator's /v1/chat/completions. */
const syncModel = () =>
  createOpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY }).chat('gpt-4o-mini');
const direct: Answer = async (prompt) => (await generateText({ model: syncModel(), prompt })).text;

/** The one-line swap: the same call through the bridge. */
const batchModel = () => createBatchOpenAI({ bridge: 'batch_bridge' }).chat('gpt-4o-mini');
const bridged: Answer = async (prompt) => (await generateText({ model: batchModel(), prompt })).text;

/**
 * The seed's design has no AI SDK provider: its node builds the chat body itself and waits on the seed bridge. The
 * bridge is what the baseline compares, so the body is the one the official provider builds for the same prompt.
 */
const seeded: Answer = async (prompt) => {
  const body = await seedWait({
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] },
  });
  return String((body as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content ?? '');
};

/**
 * LangGraph's own pause and resume, no bridge: the node interrupts with a value the size of the bridge's descriptor,
 * and the benchmark resumes it. For N threads that is the floor plus one more run per thread; for a fan-out, what
 * LangGraph spends on N interrupts in one superstep and on resuming them.
 */
const interruptOnly: Answer = async (prompt) => {
  interrupt({
    kind: 'batch-bridge/request',
    bridge: 'batch_bridge',
    digest: 'd'.repeat(64),
    description: `POST /v1/chat/completions gpt-4o-mini ${prompt.length}`,
  });
  return prompt;
};

function single(answer: Answer) {
  return new StateGraph(State)
    .addNode('ask', async (state: AgentState) => {
      await answer(state.prompt);
      return { answers: 1 };
    })
    .addEdge('__start__', 'ask')
    .compile();
}

/**
 * LangGraph JS runs a superstep's tasks with a Promise.race over every task still running, once per finished task:
 * unbounded, a 10,000-way fan-out costs it ~N²/2 promise reactions (minutes, gigabytes; see BENCHMARKS.md). A bound on
 * concurrent tasks keeps that linear; it applies to every fan-out variant alike. BENCH_FANOUT_CONCURRENCY=0 lifts it.
 */
const fanoutConcurrency = Number(process.env.BENCH_FANOUT_CONCURRENCY ?? 200);

function fanout(answer: Answer) {
  const graph = new StateGraph(State)
    .addNode('ask', async (state: AgentState) => {
      await answer(state.prompt);
      return { answers: 1 };
    })
    .addConditionalEdges('__start__', (state: AgentState) => state.prompts.map((prompt) => new Send('ask', { prompt })))
    .compile();
  return fanoutConcurrency > 0 ? graph.withConfig({ maxConcurrency: fanoutConcurrency }) : graph;
}

export const floorThreads = single(noModel);
export const floorFanout = fanout(noModel);
export const directThreads = single(direct);
export const directFanout = fanout(direct);
export const bridgeThreads = single(bridged);
export const bridgeFanout = fanout(bridged);
export const seedThreads = single(seeded);
export const seedFanout = fanout(seeded);
export const interruptThreads = single(interruptOnly);
export const interruptFanout = fanout(interruptOnly);
