import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeThreadId } from '../../src/index.js';
import { startE2EEnvironment, type E2EEnvironment } from './support/e2e-environment.js';
import { reportRow, runFanout, tagged } from './support/fanout.js';

let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

/** The bridge's saved states (one per checkpoint) from `since` on, newest first, with the time each was saved. */
async function bridgeHistorySince(bridge: string, since: number) {
  const states: Array<{ values: Record<string, any>; at: number }> = [];
  // The LangGraph API takes the id of the checkpoint to page back from (the SDK types `before` as a config).
  let before: string | undefined;
  for (;;) {
    const page = await environment.client.threads.getHistory<Record<string, any>>(bridgeThreadId(bridge), {
      limit: 100,
      ...(before ? { before: before as never } : {}),
    });
    for (const state of page) {
      const at = Date.parse(state.created_at ?? '');
      if (at < since) return states;
      states.push({ values: state.values, at });
    }
    before = page.length === 100 ? (page[page.length - 1].checkpoint.checkpoint_id ?? undefined) : undefined;
    if (!before) return states;
  }
}

const prompts = (count: number, tag: string, marked: Record<number, string> = {}) =>
  Array.from({ length: count }, (_, index) => `Question ${index} ${marked[index] ?? ''} ${tag}`);

describe('batches that fail, expire or vanish', () => {
  it('1. expired with 60% done: the finished are delivered, the rest resubmitted once and delivered', async () => {
    const tag = tagged('expire');
    const run = await runFanout(
      environment.client,
      environment.emulator,
      'fault_bridge',
      prompts(10, tag, { 0: '[[fault:batch=expire,fraction=0.6,times=1]]' }),
      tag,
    );
    expect(run.answers.filter((answer) => answer.text)).toHaveLength(10);
    const attempts = run.answers.map((answer) => answer.batchBridge!.attempts);
    expect(attempts.filter((attempt) => attempt === 1)).toHaveLength(6);
    expect(attempts.filter((attempt) => attempt === 2)).toHaveLength(4);
    expect(run.lines).toHaveLength(14);
    expect(run.customIdsSubmittedTwice).toEqual([]);
    reportRow('1 expired, 60% done', '10/10 answered; 4 resubmitted once', run.lines.length, 10, run.elapsedMs);
  });

  it('2. cancelled from outside (the dashboard): finished results kept, the rest fail as cancelled, nothing resubmitted', async () => {
    const tag = tagged('cancelled');
    const run = await runFanout(
      environment.client,
      environment.emulator,
      'fault_bridge',
      prompts(10, tag, { 3: '[[fault:batch=cancel,fraction=0.5,times=1]]' }),
      tag,
    );
    expect(run.answers.filter((answer) => answer.text)).toHaveLength(5);
    const failed = run.answers.filter((answer) => answer.error);
    expect(failed).toHaveLength(5);
    for (const answer of failed) expect(answer.error!.message).toMatch(/cancelled outside batch-bridge/);
    expect(run.lines).toHaveLength(10);
    expect(run.customIdsSubmittedTwice).toEqual([]);
    reportRow(
      '2 cancelled outside, 50% done',
      '5 answered; 5 fail `cancelled`; none resubmitted',
      run.lines.length,
      10,
      run.elapsedMs,
    );
  });

  it('3. failed validation: every request in that batch gets a clear error; another batch is unaffected', async () => {
    const tag = tagged('invalid');
    const [failing, healthy] = await Promise.all([
      runFanout(
        environment.client,
        environment.emulator,
        'fault_bridge',
        prompts(5, `${tag}-a`, { 1: '[[fault:batch=fail_validation]]' }),
        `${tag}-a`,
      ),
      runFanout(environment.client, environment.emulator, 'batch_bridge', prompts(5, `${tag}-b`), `${tag}-b`),
    ]);
    expect(failing.answers).toHaveLength(5);
    for (const answer of failing.answers) {
      expect(answer.error).toMatchObject({ name: 'AI_APICallError', isRetryable: false });
      expect(answer.error!.message).toMatch(/valid|fail/i);
    }
    expect(healthy.answers.filter((answer) => answer.text)).toHaveLength(5);
    expect(failing.lines).toHaveLength(5);
    expect(healthy.lines).toHaveLength(5);
    reportRow(
      '3 failed validation',
      '5/5 clear errors; other batch 5/5 answered',
      failing.lines.length + healthy.lines.length,
      10,
      Math.max(failing.elapsedMs, healthy.elapsedMs),
    );
  });

  it('4. token_limit_exceeded: retried later in smaller batches until it fits, the wait visible in the bridge state', async () => {
    const tag = tagged('tokens');
    const started = Date.now();
    const run = await runFanout(
      environment.client,
      environment.emulator,
      'fault_bridge',
      prompts(8, tag, { 5: '[[fault:batch=token_limit_exceeded,times=2]]' }),
      tag,
    );
    // The wait lasts only backoffMs (1 s, then 2 s): instead of catching it live, the bridge's saved states since the
    // test started must include one that showed it, a wait still ahead, with the smaller batch size and the reason.
    const waiting = (await bridgeHistorySince('fault_bridge', started)).find(
      ({ values, at }) =>
        values.backoffUntil !== null && values.backoffUntil > at && Object.keys(values.batchSizeLimits).length > 0,
    );
    expect(waiting, 'a bridge state showing the token-limit wait').toBeDefined();
    expect(waiting!.values.lastError.message).toMatch(/enqueued-token limit/);
    expect(run.answers.filter((answer) => answer.text)).toHaveLength(8);
    expect(run.customIdsSubmittedTwice).toEqual([]);
    const batches = new Set(run.lines.map((line) => line.custom_id.split('-')[1]));
    expect(batches.size).toBe(8);
    // The sizes the API received, in order: all 8 at first; after each refusal the refused batch's requests went out
    // in batches half its size (a success elsewhere may lift the limit again before the third try, so that one is
    // at most 4).
    const received = environment.emulator
      .record()
      .batches.filter((batch) => batch.lines.some((line) => JSON.stringify(line.body).includes(tag)))
      .sort((left, right) => left.createdAt - right.createdAt);
    const withMarker = received.filter((batch) =>
      batch.lines.some((line) => JSON.stringify(line.body).includes('token_limit_exceeded')),
    );
    expect(received[0].lines).toHaveLength(8);
    expect(withMarker.map((batch) => batch.lines.length).slice(0, 2)).toEqual([8, 4]);
    expect(withMarker).toHaveLength(3);
    expect(withMarker[2].lines.length).toBeLessThanOrEqual(4);
    for (const batch of received.slice(1)) expect(batch.lines.length).toBeLessThanOrEqual(4);
    expect(Math.max(...run.answers.map((answer) => answer.batchBridge!.attempts))).toBe(3);
    reportRow(
      '4 token_limit_exceeded twice',
      '8/8 answered after backoff and halving',
      run.lines.length,
      8,
      run.elapsedMs,
    );
  });

  it('5. per-line 429/500 that clear on retry succeed; a 500 that persists past maxAttempts is a clear error', async () => {
    const tag = tagged('lines');
    const run = await runFanout(
      environment.client,
      environment.emulator,
      'fault_bridge',
      prompts(4, tag, {
        0: '[[fault:status=429,times=1]]',
        1: '[[fault:status=500,times=1,id=b]]',
        3: '[[fault:status=500]]',
      }),
      tag,
    );
    const byIndex = (index: number) => run.answers.find((answer) => answer.prompt.startsWith(`Question ${index} `))!;
    expect(byIndex(0)).toMatchObject({ text: expect.any(String), batchBridge: { attempts: 2 } });
    expect(byIndex(1)).toMatchObject({ text: expect.any(String), batchBridge: { attempts: 2 } });
    expect(byIndex(2)).toMatchObject({ text: expect.any(String), batchBridge: { attempts: 1 } });
    expect(byIndex(3).error).toMatchObject({ name: 'AI_APICallError', statusCode: 500, isRetryable: false });
    expect(byIndex(3).error!.message).toMatch(/after 3 attempts/);
    expect(run.lines).toHaveLength(2 + 2 + 1 + 3);
    expect(run.customIdsSubmittedTwice).toEqual([]);
    reportRow(
      '5 line 429/500 once; 500 always',
      '3 answered on retry; 1 clear 500 after 3 attempts',
      run.lines.length,
      4,
      run.elapsedMs,
    );
  });

  it('6. output file missing, content and retrieve answering 500 for a while, upload 500 once: every thread ends right', async () => {
    const cases: Array<{
      name: string;
      arrange: () => void;
      marker?: string;
      expectedLines: (requests: number) => number;
    }> = [
      {
        name: 'output file missing',
        arrange: () => {},
        marker: '[[fault:batch=output_file_missing,times=1]]',
        expectedLines: (n) => 2 * n,
      },
      {
        name: 'content 500 ×6',
        arrange: () => environment.emulator.setHttpFaults({ fileContent: 6 }),
        expectedLines: (n) => n,
      },
      {
        name: 'retrieve 500 ×6',
        arrange: () => environment.emulator.setHttpFaults({ retrieveBatch: 6 }),
        expectedLines: (n) => n,
      },
      {
        name: 'upload 500 ×1',
        arrange: () => environment.emulator.setHttpFaults({ upload: 1 }),
        expectedLines: (n) => n,
      },
    ];
    for (const scenario of cases) {
      const tag = tagged('api');
      scenario.arrange();
      const run = await runFanout(
        environment.client,
        environment.emulator,
        'fault_bridge',
        prompts(4, tag, scenario.marker ? { 0: scenario.marker } : {}),
        tag,
      );
      environment.emulator.setHttpFaults({ upload: 0, createBatch: 0, retrieveBatch: 0, fileContent: 0 });
      expect(
        run.answers.filter((answer) => answer.text),
        scenario.name,
      ).toHaveLength(4);
      expect(run.lines, scenario.name).toHaveLength(scenario.expectedLines(4));
      expect(run.customIdsSubmittedTwice).toEqual([]);
      reportRow(`6 ${scenario.name}`, '4/4 answered', run.lines.length, 4, run.elapsedMs);
    }
  });
});
