import { Annotation, StateGraph } from '@langchain/langgraph';
import { createBridge, wait } from 'batch-bridge';

/**
 * The generic bridge, for any batch API: give it `submit` (items in, a batch id out) and `poll` (null while running,
 * the results in submission order when done, an Error when the batch failed). A node calls `wait(item, bridgeId)`
 * where it would have called the API directly, and gets its own result back.
 *
 * The "batch API" here is a stand-in kept in memory, done two seconds after submission; a real one (Anthropic Message
 * Batches, a GPU job queue) keeps its jobs on its side, so that a server restart loses nothing.
 */
interface Item {
  text: string;
}
interface Result {
  text: string;
  words: number;
  shouted: string;
}

const jobs = new Map<string, { items: Item[]; readyAt: number }>();

export const bridge = createBridge<Item>({
  name: 'custom_bridge',
  submit: async (items) => {
    const batchId = `job-${jobs.size + 1}-${Date.now()}`;
    jobs.set(batchId, { items, readyAt: Date.now() + 2_000 });
    return batchId;
  },
  poll: async (batchId) => {
    const job = jobs.get(batchId);
    if (!job) return new Error(`no such job: ${batchId}`);
    if (Date.now() < job.readyAt) return null;
    return job.items.map((item): Result => ({
      text: item.text,
      words: item.text.split(/\s+/).filter(Boolean).length,
      shouted: item.text.toUpperCase(),
    }));
  },
  maxWaitMs: 1_000,
  pollIntervalMs: 1_000,
});

const State = Annotation.Root({ text: Annotation<string>(), result: Annotation<Result | undefined>() });

export const graph = new StateGraph(State)
  .addNode('process', async ({ text }) => ({ result: await wait<Result>({ text }, 'custom_bridge') }))
  .addEdge('__start__', 'process')
  .compile({ name: 'custom_bridge_agent' });
