import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelBatchRequests } from '../../src/index.js';
import {
  finishedThread,
  linesMentioning,
  runThread,
  startE2EEnvironment,
  testApiKey,
  waitFor,
  type E2EEnvironment,
  bridgeStateOf,
} from './support/e2e-environment.js';
import { reportRow, runFanout, tagged, type Answer } from './support/fanout.js';

let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

const bridgeState = (bridge: string) => bridgeStateOf(environment.client, bridge);

async function startThreads(graph: string, inputs: Array<Record<string, unknown>>) {
  return Promise.all(
    inputs.map(async (input) => {
      const thread = await environment.client.threads.create();
      await environment.client.runs.create(thread.thread_id, graph, { input, multitaskStrategy: 'enqueue' });
      return thread.thread_id;
    }),
  );
}

async function everyThread(threadIds: string[], status: string) {
  return waitFor(async () => {
    const threads = await Promise.all(threadIds.map((id) => environment.client.threads.get(id)));
    return threads.every((thread) => thread.status === status) ? threads : undefined;
  }, `every thread to be ${status}`);
}

const answersOf = (state: { values: unknown }) => (state.values as { results: Answer[] }).results;

describe('servers that restart, busy threads, re-execution, bad input, secrets, cancellation, parallel calls', () => {
  it('7. a clean restart while a batch is in flight, and again while requests are queued: every thread completes, nothing resubmitted', async () => {
    const started = Date.now();
    const inFlightTag = tagged('restart-flight');
    environment.emulator.setTimings({ inProgressMs: 6000 });
    const inFlight = await startThreads(
      'single',
      Array.from({ length: 10 }, (_, index) => ({
        prompt: `In flight ${index} ${inFlightTag}`,
        bridge: 'fault_bridge',
      })),
    );
    await everyThread(inFlight, 'interrupted');
    await waitFor(
      async () => ((await bridgeState('fault_bridge')).batches.length > 0 ? true : undefined),
      'the batch to be in flight',
    );
    await environment.restartServer();
    environment.emulator.setTimings({ inProgressMs: 50 });
    for (const threadId of inFlight) {
      const { state } = await finishedThread(environment.client, threadId, 60_000);
      expect(answersOf(state)[0].text).toContain(inFlightTag.slice(0, 10));
    }
    expect(linesMentioning(environment.emulator, inFlightTag)).toHaveLength(10);

    // count_bridge submits only when 20 requests wait, never for their age: the 10 stay queued across the restart
    // however slowly they arrive, and 10 more sent after it make the batch go.
    const queuedTag = tagged('restart-queued');
    const queued = await startThreads(
      'single',
      Array.from({ length: 10 }, (_, index) => ({
        prompt: `Queued ${index} ${queuedTag}`,
        bridge: 'count_bridge',
      })),
    );
    await everyThread(queued, 'interrupted');
    await waitFor(
      async () => ((await bridgeState('count_bridge')).queued === 10 ? true : undefined),
      'ten requests to be queued',
    );
    expect(linesMentioning(environment.emulator, queuedTag)).toHaveLength(0);
    await environment.restartServer();
    const laterTag = tagged('restart-later');
    const later = await startThreads(
      'single',
      Array.from({ length: 10 }, (_, index) => ({ prompt: `Later ${index} ${laterTag}`, bridge: 'count_bridge' })),
    );
    for (const [threadId, tag] of [
      ...queued.map((threadId) => [threadId, queuedTag]),
      ...later.map((threadId) => [threadId, laterTag]),
    ]) {
      const { state } = await finishedThread(environment.client, threadId, 60_000);
      expect(answersOf(state)[0].text).toContain(tag.slice(0, 10));
    }
    expect(linesMentioning(environment.emulator, queuedTag)).toHaveLength(10);
    expect(linesMentioning(environment.emulator, laterTag)).toHaveLength(10);
    // The bridge still counted the 10 it held before the restart: all 20 went out in one batch.
    const batchesOf = (tag: string) =>
      environment.emulator
        .record()
        .batches.filter((batch) => batch.lines.some((line) => JSON.stringify(line.body).includes(tag)))
        .map((batch) => batch.batchId);
    expect(batchesOf(queuedTag)).toHaveLength(1);
    expect(batchesOf(laterTag)).toEqual(batchesOf(queuedTag));
    reportRow('7 clean restarts: batch in flight; requests queued', '30/30 threads done', 30, 30, Date.now() - started);
  });

  it('9. the same node re-executed many times (partial resumes, a LangGraph retry) still sends one line per request', async () => {
    const tag = tagged('reexecuted');
    const prompts = Array.from({ length: 90 }, (_, index) => {
      const slow =
        index === 10 ? '[[fault:batch=slow,ms=2500]]' : index === 70 ? '[[fault:batch=slow,ms=5000,id=b]]' : '';
      return `Question ${index} ${slow} ${tag}`;
    });
    const run = await runFanout(environment.client, environment.emulator, 'bridge_small', prompts, tag, 120_000);
    expect(run.answers.filter((answer) => answer.text)).toHaveLength(90);
    const resumes = (await environment.client.runs.list(run.thread.thread_id, { limit: 100 })).length - 1;
    expect(resumes).toBeGreaterThanOrEqual(2);
    expect(run.lines).toHaveLength(90);
    expect(run.customIdsSubmittedTwice).toEqual([]);

    const retryTag = tagged('retried');
    const retried = await runThread(environment.client, 'retrying', { prompt: `Retry me ${retryTag}` });
    expect(answersOf(retried.state)[0].text).toContain('Retry me');
    expect(linesMentioning(environment.emulator, retryTag)).toHaveLength(1);
    reportRow(
      '9 90-way fan-out, 3 batches, partial resumes; node retried',
      `90/90 answered over ${resumes} resumes; retry 1 line`,
      run.lines.length + 1,
      91,
      run.elapsedMs,
    );
  });

  it('12. cancelling a waiting request, and a whole batch, resumes the threads with a clear cancellation error', async () => {
    const started = Date.now();
    const tag = tagged('cancel-request');
    // hold_bridge submits only with a second request: the lone one waits, however long the test takes, until cancelled.
    const [waiting] = await startThreads('single', [{ prompt: `Cancel me ${tag}`, bridge: 'hold_bridge' }]);
    await everyThread([waiting], 'interrupted');
    expect(
      await cancelBatchRequests(environment.client, {
        threadId: waiting,
        bridge: 'hold_bridge',
        reason: 'the user changed their mind',
      }),
    ).toEqual({ requests: 1 });
    const { state } = await finishedThread(environment.client, waiting);
    expect(answersOf(state)[0].error?.message).toMatch(/cancelled: the user changed their mind/);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(0);

    const batchTag = tagged('cancel-batch');
    // Long enough that no line is done before the cancel (a cancelled batch still returns the lines it finished).
    environment.emulator.setTimings({ inProgressMs: 60_000 });
    const threads = await startThreads(
      'single',
      Array.from({ length: 3 }, (_, index) => ({ prompt: `Batch ${index} ${batchTag}`, bridge: 'fault_bridge' })),
    );
    // On a loaded machine the three hand-overs may straddle a flush: every batch holding one of them is cancelled.
    const batchIds = await waitFor(() => {
      const holding = environment.emulator
        .record()
        .batches.filter((batch) => batch.lines.some((line) => JSON.stringify(line.body).includes(batchTag)));
      const lines = holding.reduce((count, batch) => count + batch.lines.length, 0);
      return lines === 3 ? holding.map((batch) => batch.batchId) : undefined;
    }, 'the three requests to be submitted');
    await waitFor(async () => {
      const known = new Set(
        (await bridgeState('fault_bridge')).batches.map((batch: { batchId: string }) => batch.batchId),
      );
      return batchIds.every((batchId) => known.has(batchId)) ? true : undefined;
    }, 'the bridge to record its batches');
    await cancelBatchRequests(environment.client, { batchIds, bridge: 'fault_bridge' });
    for (const threadId of threads) {
      const finished = await finishedThread(environment.client, threadId);
      expect(answersOf(finished.state)[0].error?.message).toMatch(/cancelled/);
    }
    environment.emulator.setTimings({ inProgressMs: 50 });
    expect(linesMentioning(environment.emulator, batchTag)).toHaveLength(3);
    reportRow(
      '12 cancel a waiting request; cancel a batch',
      '1 + 3 threads resumed with a cancellation error',
      3,
      4,
      Date.now() - started,
    );
  });

  it('13. two calls started together in one node are answered one after the other, each with its own answer', async () => {
    const tag = tagged('parallel');
    const started = Date.now();
    const { state } = await runThread(environment.client, 'parallel', { prompt: `Both ${tag}` });
    const [result] = answersOf(state) as unknown as Array<Record<string, string>>;
    expect(result.first).toMatch(/one$/);
    expect(result.second).toMatch(/two$/);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(2);
    reportRow('13 Promise.all of two calls in one node', 'both answered, each its own', 2, 2, Date.now() - started);
  });

  it('11. no API key or Authorization value in any state, checkpoint, store item, interrupt value or log line', async () => {
    // Its own work, so that the search finds something whatever ran before: an answer, a line error, a cancellation.
    const tag = tagged('secrets');
    await runFanout(
      environment.client,
      environment.emulator,
      'batch_bridge',
      [`A ${tag}`, `B [[fault:status=400]] ${tag}`],
      tag,
    );
    // hold_bridge_b submits only with a second request: the lone one waits until it is cancelled.
    const [cancelled] = await startThreads('single', [{ prompt: `Cancelled ${tag}`, bridge: 'hold_bridge_b' }]);
    await everyThread([cancelled], 'interrupted');
    await waitFor(
      async () =>
        (await cancelBatchRequests(environment.client, { threadId: cancelled, bridge: 'hold_bridge_b' })).requests ===
          1 || undefined,
      'the request to be cancelled',
    );
    await finishedThread(environment.client, cancelled);

    // Everything the server wrote in its folder, read while it is stopped (it saves its data on a clean stop).
    let scanned = 0;
    let files = 0;
    let mentionsTag = false;
    await environment.restartServer(async () => {
      for (const file of await filesUnder(environment.server.directory)) {
        const content = await readFile(file, 'utf8');
        files += 1;
        scanned += content.length;
        mentionsTag ||= content.includes(tag);
        expect(content, file).not.toContain(testApiKey);
        expect(content, file).not.toMatch(/Bearer\s+sk-/);
        expect(content, file).not.toContain('batch-bridge-capture-only');
      }
    });
    expect(mentionsTag, 'the search saw this test’s threads').toBe(true);
    expect(scanned).toBeGreaterThan(10_000);
    const logs = environment.logs().join('\n');
    expect(logs).not.toContain(testApiKey);
    expect(logs).not.toMatch(/Bearer\s+sk-/);
    reportRow('11 secrets', `no key in ${files} files (${scanned} bytes) or logs`, 0, 0, 0);
  });
});

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}
