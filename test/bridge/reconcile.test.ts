// Reconciliation through the bridge's own steps on LangGraph's InMemoryStore against the offline emulator: a store
// that forgot a batch (the dev server's last save came before it was created) adopts it instead of submitting its
// requests again; a batch nobody can receive is cancelled when it is provably this deployment's, and only reported
// otherwise; another deployment's batch is never touched. Each test counts the API calls.
import { InMemoryStore, type BaseStore } from '@langchain/langgraph';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIBackend } from '../../src/backends/openai/index.js';
import { bridgeRunOptionsSchema } from '../../src/bridge/bridge-options.js';
import { emptyBridgeState } from '../../src/bridge/bridge-state.js';
import { loadIdentity } from '../../src/bridge/steps/deployment-identity.js';
import { flushQueue, recountQueue } from '../../src/bridge/steps/flush-queue.js';
import { ingestRequests } from '../../src/bridge/steps/ingest-requests.js';
import { reconcileBatches } from '../../src/bridge/steps/reconcile-batches.js';
import { requestKeyOf } from '../../src/core/index.js';
import { inboxNamespace } from '../../src/protocol/index.js';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { bridgeOn, emulatorKey, handOver, pollUntilSettled } from '../stores/support/bridge-on-store.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startOpenAIBatchEmulator({
    apiKey: emulatorKey,
    timings: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 },
  });
});

afterEach(() => {
  emulator.reset();
  emulator.setTimings({ inProgressMs: 60_000 });
});

afterAll(() => emulator?.close());

/** A copy of every item of a store: what the dev server's last save kept of it. */
async function snapshotOf(store: BaseStore): Promise<InMemoryStore> {
  const copy = new InMemoryStore();
  for (const namespace of await store.listNamespaces({ limit: 10_000 })) {
    for (const item of await store.search(namespace, { limit: 100_000 })) {
      if (item.namespace.join('\u0000') === namespace.join('\u0000'))
        await copy.put(item.namespace, item.key, item.value);
    }
  }
  return copy;
}

/** The first run of a restarted bridge on `store`: a fresh state from the store, reconciliation due. */
async function restartedBridge(store: BaseStore, reconcile: Record<string, number> = {}) {
  const bridge = bridgeOn(store, emulator);
  bridge.context.options = bridgeRunOptionsSchema.parse({ maxWaitMs: 0, pollIntervalMs: 1, reconcile });
  bridge.context.state = emptyBridgeState();
  bridge.context.state.batches = await bridge.context.store.listBatches();
  await loadIdentity(bridge.context);
  await ingestRequests(bridge.context, []);
  await recountQueue(bridge.context);
  return bridge;
}

const calls = () => emulator.record().calls;
const timesSubmitted = () => [...emulator.submittedCounts().values()];

async function submittedOnce(store: BaseStore, contents: string[]) {
  const bridge = bridgeOn(store, emulator);
  await loadIdentity(bridge.context);
  const requests = await Promise.all(contents.map((content) => handOver(store, 'batch_bridge', content)));
  await ingestRequests(bridge.context, []);
  return { ...bridge, requests };
}

describe('reconciliation with the batch API', () => {
  it('a store saved before its batch was created adopts the batch: its queued requests get its results, none is submitted twice', async () => {
    const store = new InMemoryStore();
    const { context, requests } = await submittedOnce(store, ['a', 'b', 'c']);
    const lastSave = await snapshotOf(store); // the requests are queued; the batch is not created yet
    await flushQueue(context);
    expect(emulator.record().batches).toHaveLength(1);

    const restarted = await restartedBridge(lastSave);
    expect(restarted.context.state.queued).toBe(3);
    expect(await reconcileBatches(restarted.context, { due: true })).toBe(true);
    await flushQueue(restarted.context);
    emulator.setTimings({ inProgressMs: 5 });
    await pollUntilSettled(restarted.context);

    expect(emulator.record().batches).toHaveLength(1);
    expect(timesSubmitted()).toEqual([1, 1, 1]);
    expect(restarted.resumes.map((resume) => resume.threadId).sort()).toEqual(
      requests.map((request) => request.threadId).sort(),
    );
    for (const resume of restarted.resumes)
      expect(Object.values(resume.resume)[0].outcome).toMatchObject({ type: 'success' });
    expect(restarted.context.state.reconciliation).toMatchObject({
      adoptedBatches: 1,
      adoptedRequests: 3,
      orphans: [],
    });
    expect({ ...calls(), cancelBatch: calls().cancelBatch ?? 0 }).toMatchObject({
      upload: 1,
      createBatch: 1,
      listBatches: 1,
      cancelBatch: 0,
    });
  });

  it('a batch whose requests the store lost waits for them to be handed over again, then is adopted', async () => {
    const store = new InMemoryStore();
    await loadIdentity(bridgeOn(store, emulator).context);
    const lastSave = await snapshotOf(store); // only the deployment's identity: the hand-overs came after
    const { context, requests } = await submittedOnce(store, ['x', 'y']);
    await flushQueue(context);

    const restarted = await restartedBridge(lastSave, { orphanAfterMs: 60_000 });
    await reconcileBatches(restarted.context, { due: true });
    expect(restarted.context.state.reconciliation.pendingBatches).toBe(1);
    expect(restarted.context.state.batches).toEqual([]);
    // The waiting nodes run again (the sweep asks them to) and hand the same requests over.
    const inbox = inboxNamespace(restarted.context.threadId);
    for (const request of requests)
      await lastSave.put(inbox, requestKeyOf(request.threadId, request.interruptId), request);
    await ingestRequests(restarted.context, []);
    await reconcileBatches(restarted.context, { due: false });
    await flushQueue(restarted.context);
    emulator.setTimings({ inProgressMs: 5 });
    await pollUntilSettled(restarted.context);

    expect(timesSubmitted()).toEqual([1, 1]);
    expect(restarted.resumes).toHaveLength(2);
    expect(restarted.context.state.reconciliation).toMatchObject({ adoptedRequests: 2, pendingBatches: 0 });
    expect({ ...calls(), cancelBatch: calls().cancelBatch ?? 0 }).toMatchObject({
      createBatch: 1,
      listBatches: 1,
      cancelBatch: 0,
    });
  });

  it('an orphan that carries this deployment’s id is cancelled at once', async () => {
    const store = new InMemoryStore();
    await loadIdentity(bridgeOn(store, emulator).context);
    const lastSave = await snapshotOf(store);
    const { context } = await submittedOnce(store, ['lost 1', 'lost 2']);
    await flushQueue(context);
    const [ours] = emulator.record().batches;

    const restarted = await restartedBridge(lastSave, { orphanAfterMs: 0 });
    await reconcileBatches(restarted.context, { due: true });
    const [orphan] = restarted.context.state.reconciliation.orphans;
    expect(orphan).toMatchObject({ batchId: ours.batchId, action: 'cancelled', provablyOurs: true, requestCount: 2 });
    expect(restarted.context.state.recentErrors[0].message).toContain('so it was cancelled');
    expect((await openai().batches.retrieve(ours.batchId)).status).toMatch(/^cancell/);
    expect(calls()).toMatchObject({ createBatch: 1, listBatches: 1, cancelBatch: 1 });
  });

  it('a batch made before this store existed is only reported; another deployment’s batch is not touched', async () => {
    const backend = createOpenAIBackend({ apiKey: emulatorKey, baseURL: emulator.baseURL });
    const request = (content: string) => ({
      customId: `bb-${'0'.repeat(31)}${content.length}-1`,
      payload: {
        url: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
      },
    });
    const older = await backend.submit(backend.plan([request('from a lost store')])[0], {
      metadata: { batch_bridge: 'batch_bridge' },
    });
    // created_at has whole seconds: the other deployment's batch comes a second later, with this store.
    const olderSecond = Math.floor(Date.now() / 1000);
    await waitUntil(() => Math.floor(Date.now() / 1000) > olderSecond);
    const theirs = await backend.submit(backend.plan([request('another deployment')])[0], {
      metadata: { batch_bridge: 'batch_bridge', batch_bridge_deployment: 'another-deployment' },
    });
    const store = new InMemoryStore();
    const { created_at: createdAt } = await openai().batches.retrieve(theirs.batchId);
    await store.put(['batch-bridge', 'bridge', 'batch~5Fbridge', 'identity'], 'deployment', {
      deploymentId: 'this-deployment',
      createdAt: createdAt * 1000,
    });
    const before = calls();

    const restarted = await restartedBridge(store, { orphanAfterMs: 0 });
    await reconcileBatches(restarted.context, { due: true });
    const orphans = restarted.context.state.reconciliation.orphans;
    expect(orphans).toEqual([
      expect.objectContaining({ batchId: older.batchId, action: 'reported', provablyOurs: false }),
    ]);
    expect(orphans[0].cancelCommand).toContain(`/batches/${older.batchId}/cancel`);
    expect(restarted.context.state.recentErrors[0].message).toContain('cancel it: curl');
    const after = calls();
    expect(after.cancelBatch).toBeUndefined();
    // Only the older batch's lines were read: one retrieve and one download.
    expect(after.fileContent - (before.fileContent ?? 0)).toBe(1);
    expect(after.retrieveBatch - (before.retrieveBatch ?? 0)).toBe(1);
    expect((await openai().batches.retrieve(theirs.batchId)).status).not.toMatch(/^cancell/);
    expect((await openai().batches.retrieve(older.batchId)).status).not.toMatch(/^cancell/);
  });
});

const openai = () => new OpenAI({ apiKey: emulatorKey, baseURL: emulator.baseURL, maxRetries: 0 });

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}
