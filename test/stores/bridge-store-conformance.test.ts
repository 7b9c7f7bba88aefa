// Every store operation the bridge makes, with the same assertions on InMemoryStore (langgraphjs dev, in-process
// graphs), PostgresStore on a real PostgreSQL (what the Platform's store behaves like: no transactions, updated_at
// order, LIKE prefix search) and a ChaosStore that returns search results shuffled. Failures are injected through a
// ChaosStore wrapper around each of them, so a "process that dies" between two writes is the same on all three.
import { InMemoryStore, type BaseStore } from '@langchain/langgraph';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flushQueue } from '../../src/bridge/steps/flush-queue.js';
import { ingestRequests } from '../../src/bridge/steps/ingest-requests.js';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { ChaosStore } from '../support/chaos-store.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { bridgeOn, emulatorKey, handOver, pollUntilSettled, startRun } from './support/bridge-on-store.js';

type StoreName = 'memory' | 'postgres' | 'chaos';
let database: TestDatabase | undefined;
let postgres: PostgresStore | undefined;
let emulator: RunningEmulator;

beforeAll(async () => {
  database = await testDatabase('bridge_store');
  postgres = PostgresStore.fromConnString(database.url);
  await postgres.setup();
  emulator = await startOpenAIBatchEmulator({
    apiKey: emulatorKey,
    timings: { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 },
  });
});

afterEach(() => emulator.reset());

afterAll(async () => {
  await emulator?.close();
  await postgres?.stop();
  await database?.drop();
});

let bridgeCounter = 0;
/** A bridge id of its own per test: the PostgreSQL store outlives the tests of this file. */
const bridgeId = () => `batch_bridge.${(bridgeCounter += 1)}`;

/** The store under test, wrapped so that writes can be failed on purpose; its search order is the inner store's. */
function storeFor(name: StoreName): ChaosStore {
  if (name === 'memory') return new ChaosStore(new InMemoryStore(), { order: 'inner' });
  if (name === 'postgres') return new ChaosStore(postgres as BaseStore, { order: 'inner' });
  // A stable order that is neither insertion nor updated_at order (no real store reorders between page calls).
  return new ChaosStore(new InMemoryStore(), { order: 'hashed', seed: 11 });
}

const batchesOf = () => emulator.record().batches;
const submittedOnce = () => [...emulator.submittedCounts().values()].every((count) => count === 1);

describe.each<StoreName>(['memory', 'postgres', 'chaos'])('the bridge on %s', (name) => {
  it.each(['batch_bridge', 'my.bridge', 'langgraph'])('keeps bridge %j apart from every other bridge', async (base) => {
    const store = storeFor(name);
    // The id itself (each store is used once per id here); its neighbour shares a prefix with it.
    const mine = base;
    const other = `${base}_2`;
    const { context } = bridgeOn(store, emulator, mine);
    const { context: otherContext } = bridgeOn(store, emulator, other);
    await handOver(store, mine, 'for me');
    await handOver(store, other, 'for the other');
    await ingestRequests(context, []);
    await ingestRequests(otherContext, []);
    expect((await context.store.listQueue(10)).length).toBe(1);
    expect((await otherContext.store.listQueue(10)).length).toBe(1);
    const [entry] = await context.store.listQueue(10);
    const record = (await context.store.getRequests([entry.requestKey])).get(entry.requestKey);
    expect(JSON.stringify(record?.payload)).toContain('for me');
  });

  it('takes in every request of a large inbox once and queues them oldest first, whatever the store’s order', async () => {
    const store = storeFor(name);
    const bridge = bridgeId();
    const { context } = bridgeOn(store, emulator, bridge);
    const base = Date.now() - 1_000_000;
    // Written newest first, so that neither insertion order nor updated_at order is the queue's order.
    const count = 1_100;
    for (let start = count - 1; start >= 0; start -= 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, start + 1) }, (_, offset) =>
          handOver(store, bridge, `n${start - offset}`, base + start - offset),
        ),
      );
    }
    await ingestRequests(context, []);
    const queue = await context.store.listQueue(count + 10);
    expect(queue).toHaveLength(count);
    expect(queue.map((entry) => entry.queuedAt)).toEqual(Array.from({ length: count }, (_, index) => base + index));
    expect(context.state.totals.received).toBe(count);
  });

  it('blames a failed validation on the request at that line of the uploaded file; the others are answered', async () => {
    const store = storeFor(name);
    const bridge = bridgeId();
    const { context, resumes } = bridgeOn(store, emulator, bridge);
    const requests = [];
    for (const content of ['first', 'second [[fault:line=fail_validation]]', 'third', 'fourth']) {
      requests.push(await handOver(store, bridge, content));
    }
    await ingestRequests(context, []);
    for (let round = 0; round < 3 && (context.state.queued > 0 || context.state.batches.length > 0); round += 1) {
      await flushQueue(context);
      await pollUntilSettled(context);
    }
    const answers = new Map(resumes.map((resume) => [resume.threadId, Object.values(resume.resume)[0]]));
    expect(requests.map((request) => answers.get(request.threadId)?.outcome.type)).toEqual([
      'success',
      'error',
      'success',
      'success',
    ]);
    expect(answers.get(requests[1].threadId)?.outcome.code).toBe('invalid_request');
  });

  it('a process that dies between creating the batch and recording it: the next run finds the batch, nothing is submitted twice', async () => {
    const store = storeFor(name);
    const bridge = bridgeId();
    const first = bridgeOn(store, emulator, bridge);
    const requests = await Promise.all(['a', 'b', 'c'].map((content) => handOver(store, bridge, `died ${content}`)));
    await ingestRequests(first.context, []);
    // The write that records the API's batch id fails: the process is gone before it learns the answer.
    store.setFailWhen(({ namespace, value }) => namespace.at(-1) === 'batches' && typeof value?.batchId === 'string');
    await expect(flushQueue(first.context)).rejects.toThrow(/chaos store/);
    store.setFailWhen(undefined);
    expect(batchesOf()).toHaveLength(1);

    const restarted = bridgeOn(store, emulator, bridge);
    await startRun(restarted.context);
    await flushQueue(restarted.context);
    await pollUntilSettled(restarted.context);
    expect(batchesOf()).toHaveLength(1);
    expect(submittedOnce()).toBe(true);
    expect(restarted.resumes.map((resume) => resume.threadId).sort()).toEqual(
      requests.map((request) => request.threadId).sort(),
    );
    expect(restarted.context.state.recentErrors.map((error) => error.message).join('\n')).toMatch(/Found batch batch_/);
  });

  it('a process that dies before the API was asked: the next run submits the requests, once', async () => {
    const store = storeFor(name);
    const bridge = bridgeId();
    const first = bridgeOn(store, emulator, bridge);
    await Promise.all(['a', 'b'].map((content) => handOver(store, bridge, `early ${content}`)));
    await ingestRequests(first.context, []);
    // The requests are being marked submitted when the process dies: the batch record and members are written.
    store.setFailWhen(({ namespace, value }) => namespace.at(-1) === 'requests' && value?.status === 'submitted');
    await expect(flushQueue(first.context)).rejects.toThrow(/chaos store/);
    store.setFailWhen(undefined);
    expect(batchesOf()).toHaveLength(0);

    const restarted = bridgeOn(store, emulator, bridge);
    await startRun(restarted.context);
    expect(restarted.context.state.batches).toHaveLength(0);
    await flushQueue(restarted.context);
    await pollUntilSettled(restarted.context);
    expect(batchesOf()).toHaveLength(1);
    expect(submittedOnce()).toBe(true);
    expect(restarted.resumes).toHaveLength(2);
  });
});
