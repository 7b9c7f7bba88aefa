import { InMemoryStore } from '@langchain/langgraph';
import type { Client } from '@langchain/langgraph-sdk';
import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../src/backends/types.js';
import { bridgeRunOptionsSchema } from '../../src/bridge/bridge-options.js';
import type { BridgeRunContext } from '../../src/bridge/bridge-run-context.js';
import { emptyBridgeState } from '../../src/bridge/bridge-state.js';
import { BridgeStore } from '../../src/bridge/bridge-store.js';
import { deliverOutcomes } from '../../src/bridge/steps/deliver-outcomes.js';
import { maxResumeAttempts } from '../../src/bridge/steps/delivery-ledger.js';
import { BridgeInputError } from '../../src/core/errors.js';
import { flushQueue } from '../../src/bridge/steps/flush-queue.js';
import { ingestRequests } from '../../src/bridge/steps/ingest-requests.js';
import { pollBatches } from '../../src/bridge/steps/poll-batches.js';
import { simpleBackend } from '../../src/backends/simple/simple-backend.js';
import { digestOf } from '../../src/core/identity.js';
import { cancelRequests } from '../../src/bridge/steps/cancel-requests.js';
import { maxChecks } from '../../src/bridge/steps/verify-hand-overs.js';

/**
 * The bridge's steps on LangGraph's own in-memory store and the seed's simple submit/poll backend. Resumes go to a
 * recorder standing in for the LangGraph API (the e2e suites drive the real server).
 */
function setUp(options: { maxRequests?: number; failResumesFor?: Set<string> } = {}) {
  const submitted: unknown[][] = [];
  const results = new Map<string, unknown[] | Error | null>();
  const resumes: Array<{ threadId: string; assistantId: string; payload: any; runId: string }> = [];
  let runCount = 0;
  let now = 1_000_000;
  const backend = simpleBackend<{ n: number }>(
    (items) => {
      submitted.push(items);
      return `batch-${submitted.length}`;
    },
    (batchId) => results.get(batchId) ?? null,
  );
  const client = {
    // Every thread that `request()` made waits on its interrupt for this bridge (verify-hand-overs.ts reads them).
    threads: {
      get: async (threadId: string) => {
        if (!waiting.has(threadId) && !running.has(threadId)) throw new Error(`HTTP 404: thread ${threadId} not found`);
        return { thread_id: threadId };
      },
      getState: async (threadId: string) => {
        if (!waiting.has(threadId)) throw new Error(`HTTP 404: thread ${threadId} not found`);
        return { tasks: [{ interrupts: running.has(threadId) ? [] : waiting.get(threadId) }] };
      },
      search: async ({ ids }: { ids: string[] }) =>
        ids.flatMap((threadId) => {
          if (running.has(threadId)) return [{ thread_id: threadId, status: 'busy', interrupts: {} }];
          const interrupts = waiting.get(threadId);
          return interrupts ? [{ thread_id: threadId, status: 'interrupted', interrupts: { task: interrupts } }] : [];
        }),
    },
    runs: {
      create: async (threadId: string, assistantId: string, payload: unknown) => {
        if (options.failResumesFor?.has(threadId)) throw new Error('HTTP 503: busy');
        resumes.push({ threadId, assistantId, payload, runId: `run-${(runCount += 1)}` });
        return { run_id: `run-${runCount}`, thread_id: threadId, status: 'pending' };
      },
      get: async (threadId: string, runId: string) => ({
        run_id: runId,
        thread_id: threadId,
        status: runStatus(runId),
      }),
    },
  } as unknown as Client;
  /** The threads run every resume sent so far: each answered interrupt leaves its thread's waiting list. */
  const takeResumes = () => {
    for (const { threadId, payload } of resumes.splice(0)) {
      taken.push({ threadId, payload });
      const answered = new Set(Object.keys(payload.command.resume));
      waiting.set(
        threadId,
        (waiting.get(threadId) ?? []).filter((pending) => !answered.has(pending.id)),
      );
    }
  };
  const taken: Array<{ threadId: string; payload: any }> = [];
  const runStatuses = new Map<string, string>();
  const runStatus = (runId: string) => runStatuses.get(runId) ?? 'success';
  const state = emptyBridgeState();
  const context: BridgeRunContext = {
    bridge: 'test_bridge',
    threadId: 'bridge-thread',
    store: new BridgeStore(new InMemoryStore(), 'test_bridge'),
    backend,
    options: bridgeRunOptionsSchema.parse({
      maxRequests: options.maxRequests ?? 100,
      maxWaitMs: 1000,
      pollIntervalMs: 1000,
    }),
    client,
    state,
    now: () => now,
  };
  const advance = (ms: number) => (now += ms);
  /** Hands `handOvers` over, submits them as the first batch, which answers with `bodies`, and polls it in. */
  const answerFirstBatch = async (handOvers: unknown[], bodies: unknown[]) => {
    await ingestRequests(context, handOvers);
    advance(1000);
    await flushQueue(context);
    results.set('batch-1', bodies);
    advance(1000);
    await pollBatches(context);
  };
  return { context, submitted, results, resumes, takeResumes, runStatuses, advance, answerFirstBatch };
}

/** Thread id → the interrupts it waits on, as the LangGraph API lists them. */
const waiting = new Map<string, Array<{ id: string; value: unknown }>>();
/** Threads whose run is still going: busy, their interrupts not committed yet. */
const running = new Set<string>();

/** A hand-over, and its thread waiting on it. */
const request = (thread: number, interrupt: number, n = interrupt) => {
  const handOver = {
    threadId: `00000000-0000-4000-8000-${String(thread).padStart(12, '0')}`,
    interruptId: interrupt.toString(16).padStart(32, '0'),
    assistantId: 'agent',
    digest: digestOf({ n }),
    payload: { n },
  };
  const interrupts = waiting.get(handOver.threadId) ?? [];
  if (!interrupts.some((pending) => pending.id === handOver.interruptId)) {
    interrupts.push({
      id: handOver.interruptId,
      value: { kind: 'batch-bridge/request', bridge: 'test_bridge', digest: handOver.digest },
    });
  }
  waiting.set(handOver.threadId, interrupts);
  return handOver;
};

describe('a bridge run, step by step', () => {
  it('queues requests once, flushes by age, and delivers one resume run per thread with every interrupt answered by id', async () => {
    const { context, submitted, results, resumes, takeResumes, advance } = setUp();
    await ingestRequests(context, [request(1, 1), request(1, 2), request(2, 3)]);
    await ingestRequests(context, [request(1, 1), request(2, 3)]);
    expect(context.state.queued).toBe(3);
    expect(context.state.totals).toMatchObject({ received: 3, duplicates: 2 });

    await flushQueue(context);
    expect(submitted).toEqual([]);
    advance(1000);
    await flushQueue(context);
    expect(submitted).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }]]);
    expect(context.state).toMatchObject({ queued: 0, batches: [{ batchId: 'batch-1', requestCount: 3 }] });

    advance(1000);
    await pollBatches(context);
    expect(context.state.batches).toHaveLength(1);
    results.set('batch-1', ['one', 'two', 'three']);
    advance(1000);
    await pollBatches(context);
    expect(context.state.batches).toHaveLength(0);
    expect(context.state.undelivered).toBe(3);

    await deliverOutcomes(context);
    expect(resumes).toHaveLength(2);
    const first = resumes.find((resume) => resume.threadId === request(1, 1).threadId)!;
    expect(first.payload).toMatchObject({
      multitaskStrategy: 'enqueue',
      config: { configurable: { __pregel_strict_resume: true } },
    });
    const answers = first.payload.command.resume;
    expect(Object.keys(answers).sort()).toEqual([request(1, 1).interruptId, request(1, 2).interruptId]);
    expect(answers[request(1, 2).interruptId]).toMatchObject({
      kind: 'batch-bridge/outcome',
      digest: request(1, 2).digest,
      outcome: { type: 'success', body: 'two' },
      attempts: 1,
    });
    // Sent, not yet delivered: the outcomes stay in the outbox until the threads are seen to have taken them.
    expect(context.state).toMatchObject({ undelivered: 0, resuming: 3, totals: { delivered: 0, succeeded: 3 } });
    takeResumes();
    advance(1000);
    await deliverOutcomes(context);
    expect(context.state).toMatchObject({ undelivered: 0, resuming: 0, totals: { delivered: 3, succeeded: 3 } });
    expect(resumes).toHaveLength(0);

    // A delivered interrupt is never sent again, even when its node submits it once more.
    await ingestRequests(context, [request(1, 1)]);
    await deliverOutcomes(context);
    expect(resumes).toHaveLength(0);
    expect(context.state.queued).toBe(0);
  });

  it('splits a flush at maxRequests', async () => {
    const { context, submitted } = setUp({ maxRequests: 2 });
    await ingestRequests(
      context,
      [1, 2, 3, 4, 5].map((n) => request(n, n)),
    );
    await flushQueue(context);
    expect(submitted.map((items) => items.length)).toEqual([2, 2, 1]);
  });

  it('keeps an outcome whose resume was refused and delivers it on a later run', async () => {
    const failing = new Set([request(1, 1).threadId]);
    const { context, resumes, advance, answerFirstBatch } = setUp({ failResumesFor: failing });
    await answerFirstBatch([request(1, 1)], ['one']);
    await deliverOutcomes(context);
    expect(resumes).toHaveLength(0);
    expect(context.state.undelivered).toBe(1);
    expect(context.state.lastError?.message).toMatch(/Resuming 1 thread\(s\) did not go through.*HTTP 503/);
    failing.clear();
    // Tried again after a backoff, not on the very next run.
    await deliverOutcomes(context);
    expect(resumes).toHaveLength(0);
    advance(2000);
    await deliverOutcomes(context);
    expect(resumes).toHaveLength(1);
    expect(context.state).toMatchObject({ undelivered: 0, resuming: 1 });
  });

  it('sends an outcome again when its accepted resume run ended without the thread taking it, and only then', async () => {
    const { context, resumes, takeResumes, runStatuses, advance, answerFirstBatch } = setUp();
    const lost = request(41, 1);
    const kept = request(42, 2);
    await answerFirstBatch([lost, kept], ['one', 'two']);
    await deliverOutcomes(context);
    expect(resumes.map((resume) => resume.threadId).sort()).toEqual([lost.threadId, kept.threadId]);
    // One run is cancelled before it runs (a restart dropped it, someone cancelled it); the other is taken.
    const lostRun = resumes.find((resume) => resume.threadId === lost.threadId)!.runId;
    runStatuses.set(lostRun, 'interrupted');
    resumes.splice(
      resumes.findIndex((resume) => resume.threadId === lost.threadId),
      1,
    );
    takeResumes();

    // Not looked at before pollIntervalMs has passed.
    advance(500);
    await deliverOutcomes(context);
    expect(context.state).toMatchObject({ resuming: 2, totals: { delivered: 0 } });
    advance(500);
    await deliverOutcomes(context);
    expect(context.state).toMatchObject({ undelivered: 1, resuming: 0, totals: { delivered: 1, resent: 1 } });
    expect(context.state.lastError?.message).toMatch(new RegExp(`${lostRun} ended 'interrupted'`));
    expect(resumes).toEqual([]);

    advance(2000);
    await deliverOutcomes(context);
    expect(resumes).toHaveLength(1);
    expect(resumes[0]).toMatchObject({ threadId: lost.threadId });
    expect(Object.keys(resumes[0].payload.command.resume)).toEqual([lost.interruptId]);
    takeResumes();
    advance(1000);
    await deliverOutcomes(context);
    expect(context.state).toMatchObject({ undelivered: 0, resuming: 0, totals: { delivered: 2, resent: 1 } });
    expect(await context.store.listOutbox(10)).toEqual([]);
  });

  it('gives an outcome up, naming its thread, after a bounded number of resume attempts with growing pauses', async () => {
    const { context, resumes, runStatuses, advance, answerFirstBatch } = setUp();
    const stuck = request(43, 1);
    await answerFirstBatch([stuck], ['one']);
    const sentAt: number[] = [];
    for (let run = 0; run < 200 && (await context.store.listOutbox(1)).length > 0; run += 1) {
      const before = resumes.length;
      await deliverOutcomes(context);
      if (resumes.length > before) {
        sentAt.push(context.now());
        runStatuses.set(resumes.at(-1)!.runId, 'error');
      }
      advance(30_000);
    }
    expect(sentAt).toHaveLength(maxResumeAttempts);
    const pauses = sentAt.slice(1).map((at, index) => at - sentAt[index]);
    expect(pauses.every((pause, index) => index === 0 || pause >= pauses[index - 1])).toBe(true);
    expect(context.state.totals).toMatchObject({ delivered: 0, undeliverable: 1 });
    expect(context.state.recentErrors.map((error) => error.message).join('\n')).toMatch(
      new RegExp(`thread ${stuck.threadId}: given up after ${maxResumeAttempts} resume attempts`),
    );
  });

  it('drops the outcomes of a thread that was deleted while its resume run failed, and sends nothing more', async () => {
    const { context, resumes, runStatuses, advance, answerFirstBatch } = setUp();
    const deleted = request(44, 1);
    await answerFirstBatch([deleted], ['one']);
    await deliverOutcomes(context);
    runStatuses.set(resumes[0].runId, 'error');
    waiting.delete(deleted.threadId);
    advance(1000);
    await deliverOutcomes(context);
    expect(await context.store.listOutbox(10)).toEqual([]);
    expect(context.state).toMatchObject({ undelivered: 0, resuming: 0 });
    expect(context.state.lastError?.message).toMatch(/no longer exists/);
    advance(60_000);
    await deliverOutcomes(context);
    expect(resumes).toHaveLength(1);
  });

  it('resubmits retryable outcomes until maxAttempts, then delivers the error', async () => {
    const { context, resumes, advance } = setUp();
    const failing: RequestOutcome = {
      type: 'error',
      customId: '',
      code: 'server_error',
      message: 'boom',
      retryable: true,
    };
    context.backend = {
      ...context.backend,
      poll: async ({ customIds }) => ({
        status: 'completed',
        terminal: true,
        outcomes: customIds.map((customId) => ({ ...failing, customId })),
      }),
    };
    await ingestRequests(context, [request(1, 1)]);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      advance(1000);
      await flushQueue(context);
      advance(1000);
      await pollBatches(context);
    }
    await deliverOutcomes(context);
    expect(context.state.totals).toMatchObject({ submitted: 3, retried: 2, failed: 1 });
    const answer = Object.values(resumes[0].payload.command.resume)[0] as any;
    expect(answer).toMatchObject({ attempts: 3, outcome: { type: 'error', code: 'server_error', message: 'boom' } });
  });

  it('refuses a hand-over whose digest is not its payload’s: nothing is queued, submitted or delivered', async () => {
    const { context, submitted, resumes, advance } = setUp();
    const forged = { ...request(1, 1), payload: { n: 666 } };
    await expect(ingestRequests(context, [forged])).rejects.toThrow(/digest does not match the payload/);
    await ingestRequests(context, [{ ...forged, interruptId: request(1, 2).interruptId }, request(2, 3)]);
    advance(1000);
    await flushQueue(context);
    await deliverOutcomes(context);
    expect(submitted).toEqual([[{ n: 3 }]]);
    expect(resumes).toEqual([]);
    expect(context.state.totals).toMatchObject({ received: 1, rejected: 1 });
    expect(context.state.lastError?.message).toMatch(/digest does not match the payload/);
  });

  it('refuses a hand-over no waiting interrupt matches: another payload, an unknown thread, an answered interrupt', async () => {
    const { context, submitted, resumes, advance } = setUp();
    const victim = request(11, 1);
    const ownPayload = { ...victim, payload: { n: 666 }, digest: digestOf({ n: 666 }) };
    const noThread = { ...request(12, 2), threadId: '00000000-0000-4000-8000-00000000dead' };
    const answered = { ...request(13, 3), interruptId: 'f'.repeat(32) };
    await ingestRequests(context, [ownPayload, noThread, answered]);
    expect(context.state.totals).toMatchObject({ received: 0, rejected: 3 });
    expect(context.state.lastError?.message).toMatch(
      /different payload.*no such thread.*not waiting on this interrupt/,
    );
    await ingestRequests(context, [victim]);
    advance(1000);
    await flushQueue(context);
    await deliverOutcomes(context);
    expect(submitted).toEqual([[{ n: 1 }]]);
    expect(resumes).toEqual([]);
  });

  it('keeps a hand-over whose thread has not committed its interrupt yet, and checks it again later (a bounded number of times)', async () => {
    const { context, submitted, advance } = setUp();
    const early = request(21, 1);
    const never = request(22, 2);
    running.add(early.threadId).add(never.threadId);
    await ingestRequests(context, [early, never]);
    expect(context.state.totals).toMatchObject({ received: 0, rejected: 0 });
    expect(await context.store.listInbox(context.threadId, 10)).toHaveLength(2);
    expect(context.recheckAt).toBe(context.now() + 1000);
    running.delete(early.threadId);
    for (let check = 2; check <= maxChecks; check += 1) {
      advance(30_000);
      await ingestRequests(context, []);
    }
    expect(context.state.totals).toMatchObject({ received: 1, rejected: 1 });
    expect(context.state.lastError?.message).toMatch(/still running.*after 40 checks/);
    expect(await context.store.listInbox(context.threadId, 10)).toEqual([]);
    advance(1000);
    await flushQueue(context);
    expect(submitted).toEqual([[{ n: 1 }]]);
  });

  it('cancels a request it does not know yet only when its thread waits on it with that digest', async () => {
    const { context, resumes } = setUp();
    const real = request(31, 1);
    const made = { ...real, interruptId: 'e'.repeat(32) };
    const wrongDigest = { ...request(32, 2), digest: digestOf({ n: 999 }) };
    await cancelRequests(context, { requests: [made, wrongDigest, real] });
    await deliverOutcomes(context);
    expect(resumes.map((resume) => Object.keys(resume.payload.command.resume))).toEqual([[real.interruptId]]);
    expect(context.state.totals.cancelled).toBe(1);
    expect(context.state.recentErrors.map((error) => error.message).join('\n')).toMatch(
      /different payload.*not waiting/s,
    );
  });

  it('refuses a submit event without one valid request, and changes nothing', async () => {
    const { context } = setUp();
    await expect(ingestRequests(context, [{ threadId: 'not-a-uuid' }, 42])).rejects.toThrow(BridgeInputError);
    await expect(ingestRequests(context, [{ threadId: 'not-a-uuid' }])).rejects.toThrow(/requests\[0\]: interruptId/);
    expect(context.state.queued).toBe(0);
    expect(await context.store.listQueue(10)).toEqual([]);
  });
});
