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

    const queuedTag = tagged('restart-queued');
    const queued = await startThreads(
      'single',
      Array.from({ length: 10 }, (_, index) => ({
        prompt: `Queued ${index} ${queuedTag}`,
        bridge: 'slow_flush_bridge',
      })),
    );
    await everyThread(queued, 'interrupted');
    await waitFor(
      async () => ((await bridgeState('slow_flush_bridge')).queued === 10 ? true : undefined),
      'ten requests to be queued',
    );
    expect(linesMentioning(environment.emulator, queuedTag)).toHaveLength(0);
    await environment.restartServer();
    for (const threadId of queued) {
      const { state } = await finishedThread(environment.client, threadId, 60_000);
      expect(answersOf(state)[0].text).toContain(queuedTag.slice(0, 10));
    }
    expect(linesMentioning(environment.emulator, queuedTag)).toHaveLength(10);
    reportRow('7 clean restarts: batch in flight; requests queued', '20/20 threads done', 20, 20, Date.now() - started);
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
    const [waiting] = await startThreads('single', [{ prompt: `Cancel me ${tag}`, bridge: 'slow_flush_bridge' }]);
    await everyThread([waiting], 'interrupted');
    expect(
      await cancelBatchRequests(environment.client, {
        threadId: waiting,
        bridge: 'slow_flush_bridge',
        reason: 'the user changed their mind',
      }),
    ).toEqual({ requests: 1 });
    const { state } = await finishedThread(environment.client, waiting);
    expect(answersOf(state)[0].error?.message).toMatch(/cancelled: the user changed their mind/);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(0);

    const batchTag = tagged('cancel-batch');
    environment.emulator.setTimings({ inProgressMs: 10_000 });
    const threads = await startThreads(
      'single',
      Array.from({ length: 3 }, (_, index) => ({ prompt: `Batch ${index} ${batchTag}`, bridge: 'fault_bridge' })),
    );
    const batchId = await waitFor(
      async () => (await bridgeState('fault_bridge')).batches[0]?.batchId as string | undefined,
      'the batch',
    );
    await cancelBatchRequests(environment.client, { batchIds: [batchId], bridge: 'fault_bridge' });
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
    const [cancelled] = await startThreads('single', [{ prompt: `Cancelled ${tag}`, bridge: 'slow_flush_bridge' }]);
    await everyThread([cancelled], 'interrupted');
    await waitFor(
      async () =>
        (await cancelBatchRequests(environment.client, { threadId: cancelled, bridge: 'slow_flush_bridge' }))
          .requests === 1 || undefined,
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
