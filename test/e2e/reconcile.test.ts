// Reconciliation on a real `langgraphjs dev` server (through the batch-bridge dev launcher) against the emulator: the
// bridge's store is lost while its threads survive (the store file is deleted between a stop and a start, as a
// kill -9 can leave a store older than the checkpoints). The restarted bridge finds its batch at the API, asks the
// waiting threads to hand their requests over again, adopts the batch for them, and every thread gets its answer
// with no second submission.
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bridgeStateOf,
  e2eGraphs,
  finishedThread,
  linesMentioning,
  startE2EEnvironment,
  waitFor,
  type E2EEnvironment,
} from './support/e2e-environment.js';

const graphs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'graphs');
const bridge = 'reconcile_bridge';
const threads = 10;
let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment({
    graphs: { single: e2eGraphs.single, [bridge]: `${graphs}/reconcile-bridge.ts:reconcileBridge` },
    emulator: { timings: { validatingMs: 20, inProgressMs: 10 * 60_000, finalizingMs: 20 } },
  });
}, 120_000);

afterAll(() => environment?.close());

interface ReconciledState {
  queued: number;
  batches: Array<{ batchId: string | null; status: string }>;
  reconciliation: { adoptedBatches: number; adoptedRequests: number; nudgedThreads: number; orphans: unknown[] };
  recentErrors: Array<{ message: string }>;
}

it('the store is lost and the threads survive: the batch is adopted, every thread is asked to hand over again and is answered once, nothing is submitted twice', async () => {
  const { emulator } = environment;
  const tag = `store-lost-${Date.now()}`;
  const started = await Promise.all(
    Array.from({ length: threads }, async (_, index) => {
      const thread = await environment.client.threads.create();
      await environment.client.runs.create(thread.thread_id, 'single', {
        input: { prompt: `Question ${index} ${tag}`, bridge },
        multitaskStrategy: 'enqueue',
      });
      return thread.thread_id;
    }),
  );
  await waitFor(() => (linesMentioning(emulator, tag).length === threads ? true : undefined), 'the batch');
  await waitFor(
    async () => (await bridgeStateOf<ReconciledState>(environment.client, bridge)).batches.length === 1 || undefined,
    'the batch to be recorded',
  );
  const [batch] = emulator.record().batches;
  const before = emulator.record().calls;

  await environment.restartServer(async () => {
    const folder = path.join(environment.server.directory, '.langgraph_api');
    for (const name of await readdir(folder)) if (name.includes('store')) await rm(path.join(folder, name));
    await rm(path.join(folder, '.last-good'), { recursive: true, force: true });
  });
  // The threads still wait on their interrupts; the bridge knows nothing of them.
  await waitFor(
    async () => {
      const state = await bridgeStateOf<ReconciledState>(environment.client, bridge);
      return state.reconciliation?.adoptedRequests === threads ? state : undefined;
    },
    'the batch to be adopted for every thread',
    90_000,
  );
  emulator.setTimings({ inProgressMs: 50 });
  await writeFile(path.join(environment.server.directory, 'drain'), '');
  for (const [index, threadId] of started.entries()) {
    const { state } = await finishedThread(environment.client, threadId, 90_000);
    const results = (state.values as { results?: Array<{ text?: string }> }).results ?? [];
    expect(results).toHaveLength(1);
    expect(results[0].text).toContain(`Question ${index} ${tag}`);
  }

  const state = await bridgeStateOf<ReconciledState>(environment.client, bridge);
  expect(state.reconciliation).toMatchObject({
    adoptedBatches: 1,
    adoptedRequests: threads,
    nudgedThreads: threads,
    orphans: [],
  });
  const after = emulator.record().calls;
  const delta = (operation: string) => (after[operation] ?? 0) - (before[operation] ?? 0);
  // One batch, one line per request: nothing was uploaded, created or cancelled after the restart.
  expect(emulator.record().batches.map((each) => each.batchId)).toEqual([batch.batchId]);
  expect(linesMentioning(emulator, tag)).toHaveLength(threads);
  expect([delta('upload'), delta('createBatch'), delta('cancelBatch')]).toEqual([0, 0, 0]);
  // Reconciliation: one list page, and the stray's lines read once (a retrieve and a download).
  expect(delta('listBatches')).toBe(1);
  console.log(
    `store lost, ${threads} threads kept: adopted ${state.reconciliation.adoptedRequests} requests of ${batch.batchId}, ` +
      `asked ${state.reconciliation.nudgedThreads} threads again; API calls after the restart: ${JSON.stringify(
        Object.fromEntries(Object.keys(after).map((key) => [key, delta(key)])),
      )}`,
  );
}, 240_000);
