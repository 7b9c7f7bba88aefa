// What the real Batch API's failures cost, through the bridge's own steps on LangGraph's InMemoryStore against the
// offline emulator (the store suites run the same steps on PostgreSQL; the e2e suites on a real server). Each test
// counts the API calls the failure caused, not only what the calls got.
import { InMemoryStore } from '@langchain/langgraph';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIBackend } from '../../src/backends/openai/index.js';
import { flushQueue } from '../../src/bridge/steps/flush-queue.js';
import { ingestRequests } from '../../src/bridge/steps/ingest-requests.js';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { bridgeOn, emulatorKey, handOver, pollUntilSettled, type Resume } from '../stores/support/bridge-on-store.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startOpenAIBatchEmulator({
    apiKey: emulatorKey,
    timings: { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 },
  });
});

afterEach(() => {
  emulator.reset();
  emulator.setHttpFaults({});
});

afterAll(() => emulator?.close());

async function queued(contents: string[]) {
  const store = new InMemoryStore();
  const bridge = bridgeOn(store, emulator);
  const requests = await Promise.all(contents.map((content) => handOver(store, 'batch_bridge', content)));
  await ingestRequests(bridge.context, []);
  return { ...bridge, requests, store };
}

const outcomeOf = (resumes: Resume[], threadId: string) =>
  Object.values(resumes.find((resume) => resume.threadId === threadId)?.resume ?? {})[0]?.outcome as
    { type: string; code?: string; statusCode?: number; message?: string } | undefined;

describe('failures of the real Batch API cost nothing extra', () => {
  it('a refused key (401): the calls fail at once with the status and message; nothing retried, no batch, no loop over five runs', async () => {
    const { context, requests, resumes } = await queued(['one', 'two']);
    context.backend = createOpenAIBackend({ apiKey: 'sk-wrong-key-000000', baseURL: emulator.baseURL });
    for (let run = 0; run < 5; run += 1) await flushQueue(context);
    await pollUntilSettled(context);
    for (const request of requests) {
      expect(outcomeOf(resumes, request.threadId)).toMatchObject({
        type: 'error',
        statusCode: 401,
        code: 'invalid_api_key',
      });
    }
    expect(emulator.record().calls).toEqual({});
    expect(emulator.record().batches).toHaveLength(0);
    expect(context.state.queued).toBe(0);
  });

  it('insufficient_quota on creation: final, the calls fail with it; one upload, one creation', async () => {
    const { context, requests, resumes } = await queued(['quota']);
    emulator.setHttpFaults({ insufficientQuota: ['createBatch'] });
    for (let run = 0; run < 5; run += 1) await flushQueue(context);
    await pollUntilSettled(context);
    expect(outcomeOf(resumes, requests[0].threadId)).toMatchObject({ statusCode: 429, code: 'insufficient_quota' });
    expect(emulator.record().calls).toMatchObject({ upload: 1, createBatch: 1 });
  });

  it('a creation rate limit (429, Retry-After): the group waits at least that long, then goes once', async () => {
    const { context, requests, resumes } = await queued(['limited']);
    emulator.setHttpFaults({ createRateLimit: { times: 10, retryAfterSeconds: 120 } });
    const before = Date.now();
    for (let run = 0; run < 5; run += 1) await flushQueue(context);
    // Every run after the first finds the group backing off: no further upload or creation.
    const calls = emulator.record().calls;
    expect(calls.upload).toBe(1);
    expect(calls.createBatch).toBeLessThanOrEqual(4); // the backend's own quick retries of one attempt
    expect(context.state.backoffUntil).toBeGreaterThanOrEqual(before + 120_000);
    expect(context.state.submitFailures).toEqual({ '/v1/chat/completions gpt-4o-mini': 1 });
    expect(resumes).toEqual([]);
    expect(outcomeOf(resumes, requests[0].threadId)).toBeUndefined();
  });

  it('a malformed line in the output file affects only its own request; the others are delivered at once', async () => {
    const { context, requests, resumes } = await queued([
      'fine a',
      'broken [[fault:line=malformed,times=1]]',
      'fine b',
    ]);
    for (let round = 0; round < 3 && (context.state.queued > 0 || context.state.batches.length > 0); round += 1) {
      await flushQueue(context);
      await pollUntilSettled(context);
    }
    expect(requests.map((request) => outcomeOf(resumes, request.threadId)?.type)).toEqual([
      'success',
      'success',
      'success',
    ]);
    const lines = emulator.record().batches.map((batch) => batch.lines.length);
    expect(lines).toEqual([3, 1]);
  });

  it('a batch cancelled in the dashboard: finished lines delivered, the rest fail `cancelled`, nothing resubmitted', async () => {
    const { context, requests, resumes } = await queued([
      'c0',
      'c1',
      'c2',
      'c3 [[fault:batch=cancel,fraction=0.5,times=1]]',
    ]);
    await flushQueue(context);
    await pollUntilSettled(context);
    await flushQueue(context);
    const types = requests.map((request) => outcomeOf(resumes, request.threadId));
    expect(types.filter((outcome) => outcome?.type === 'success')).toHaveLength(2);
    expect(types.filter((outcome) => outcome?.code === 'cancelled')).toHaveLength(2);
    expect(emulator.record().batches).toHaveLength(1);
  });

  it('no API key on the bridge’s server: the calls fail at once naming OPENAI_API_KEY; nothing reaches the API', async () => {
    const { context, requests, resumes } = await queued(['no key']);
    Object.defineProperty(context, 'backend', {
      get: () => createOpenAIBackend({}),
    });
    const previous = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      await flushQueue(context);
    } finally {
      if (previous !== undefined) process.env.OPENAI_API_KEY = previous;
    }
    await pollUntilSettled(context);
    const outcome = outcomeOf(resumes, requests[0].threadId);
    expect(outcome).toMatchObject({ type: 'error', code: 'bridge_not_configured' });
    expect(outcome?.message).toMatch(/OPENAI_API_KEY/);
    expect(outcome?.message).toMatch(/from the LangGraph server it runs on \(host /);
    expect(emulator.record().calls).toEqual({});
  });
});
