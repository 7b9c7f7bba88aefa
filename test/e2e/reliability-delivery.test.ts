import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/core/index.js';
import { bridgeThreadId } from '../../src/index.js';
import { bridgeNamespace } from '../../src/protocol/index.js';
import {
  finishedThread,
  linesMentioning,
  runThread,
  startE2EEnvironment,
  waitFor,
  type E2EEnvironment,
  bridgeStateOf,
} from './support/e2e-environment.js';
import { reportRow, tagged, type Answer } from './support/fanout.js';

let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

const bridgeState = (bridge: string) => bridgeStateOf(environment.client, bridge);

const answersOf = (state: { values: unknown }) => (state.values as { results: Answer[] }).results;

async function startThread(input: Record<string, unknown>) {
  const thread = await environment.client.threads.create();
  await environment.client.runs.create(thread.thread_id, 'single', { input, multitaskStrategy: 'enqueue' });
  return thread.thread_id;
}

/** The interrupt a thread waits on, once it waits. */
async function waitingInterrupt(threadId: string) {
  return waitFor(async () => {
    const state = await environment.client.threads.getState(threadId);
    return state.tasks.flatMap((task) => task.interrupts)[0] as { id: string; value: { digest: string } } | undefined;
  }, `thread ${threadId} to wait on its interrupt`);
}

/**
 * What the bridge keeps about its queue and batches in flight: the store items (queue entries, the members of each
 * batch, the batches) and its state's summary. A poll's bookkeeping (last poll, status, counts) is left out: it
 * changes on every tick, whatever else happens.
 */
async function heldBy(bridge: string) {
  const items = async (label: string) =>
    (await environment.client.store.searchItems(bridgeNamespace(bridge, label), { limit: 1000 })).items
      .map((item) => ({ namespace: item.namespace.join('/'), key: item.key, value: item.value }))
      .sort((left, right) => `${left.namespace}/${left.key}`.localeCompare(`${right.namespace}/${right.key}`));
  const batches = (await items('batches')).map(({ key, value }) => {
    const { batchId, label, requestCount, submittedAt, cancelRequested } = value as Record<string, unknown>;
    return { key, batchId, label, requestCount, submittedAt, cancelRequested };
  });
  // Before its first request the bridge's thread does not exist.
  const state = await bridgeState(bridge).catch((error: Error) => {
    if (/\b404\b/.test(error.message)) return { queued: 0, batches: [] };
    throw error;
  });
  return {
    queue: await items('queue'),
    members: await items('members'),
    batches,
    queued: (state.queued ?? 0) as number,
    inFlight: ((state.batches ?? []) as Array<{ batchId: string }>).map((batch) => batch.batchId),
  };
}

describe('resumes: a busy thread, a bridge fed malformed input, a call resumed with a value not its own', () => {
  it('8. a resume that arrives while the thread is busy is enqueued behind the busy run and applied, not refused', async () => {
    const tag = tagged('busy');
    const started = Date.now();
    // The busy run must outlast the batch round trip (the bridge's wait, the emulator, the resume) by a wide margin
    // on a loaded machine too: 20 s against the few seconds the round trip takes, as in test 15.
    const { thread, state, runs } = await runThread(
      environment.client,
      'busy',
      { prompt: `Busy ${tag}`, busyMs: 20_000 },
      90_000,
    );
    expect(thread.status).toBe('idle');
    const results = answersOf(state) as unknown as Array<Record<string, unknown>>;
    expect(results.find((result) => result.worked)).toBeDefined();
    expect(results.find((result) => typeof result.text === 'string')).toBeDefined();
    expect(runs.every((run) => run.status === 'success')).toBe(true);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(1);

    // The resume run must have been created while the first run was still busy: a bridge that asked the server to
    // reject runs on a busy thread would only get its resume in on a later tick, after the busy run ended.
    const [busyRun, resumeRun] = [...runs].sort((left, right) => left.created_at.localeCompare(right.created_at));
    expect(runs).toHaveLength(2);
    expect(Date.parse(resumeRun.created_at)).toBeLessThan(Date.parse(busyRun.updated_at));
    const refused = ((await bridgeState('batch_bridge')).recentErrors as Array<{ message: string }>)
      .map((error) => error.message)
      .filter((message) => message.includes(thread.thread_id));
    expect(refused).toEqual([]);
    reportRow(
      '8 resume while the thread is busy',
      'enqueued at once, applied after the busy run',
      1,
      1,
      Date.now() - started,
    );
  }, 120_000);

  it(
    '10. malformed input to the bridge gets a clear error; its queue and batches in flight stay exactly as they were',
    { timeout: 120_000 },
    async () => {
      const started = Date.now();
      expect(await heldBy('hold_bridge'), 'hold_bridge holds nothing before this test').toMatchObject({
        queue: [],
        inFlight: [],
      });
      // Two requests go out in a batch that stays in progress; then a third waits in the queue for a partner (a flush
      // takes every queued request, so the third is sent once the batch is out).
      environment.emulator.setTimings({ inProgressMs: 600_000 });
      const tag = tagged('held');
      const threads = await Promise.all(
        [0, 1].map((index) => startThread({ prompt: `Held ${index} ${tag}`, bridge: 'hold_bridge' })),
      );
      await waitFor(
        async () => ((await heldBy('hold_bridge')).batches.length === 1 ? true : undefined),
        'the first batch to be in flight',
      );
      threads.push(await startThread({ prompt: `Held 2 ${tag}`, bridge: 'hold_bridge' }));
      const before = await waitFor(async () => {
        const held = await heldBy('hold_bridge');
        const agreed = held.queued === 1 && held.inFlight.length === 1;
        return agreed && held.queue.length === 1 && held.batches.length === 1 ? held : undefined;
      }, 'one request queued and one batch in flight');
      expect(before.members).toHaveLength(2);

      const send = (input: unknown) =>
        environment.client.runs
          .wait(bridgeThreadId('hold_bridge'), 'hold_bridge', {
            input: input as Record<string, unknown>,
            multitaskStrategy: 'enqueue',
          })
          .then(
            (value) => ({ failed: false, message: JSON.stringify(value) }),
            (error: Error) => ({ failed: true, message: error.message }),
          );
      const threadId = '00000000-0000-4000-8000-000000000000';
      const hugePayload = { url: '/v1/chat/completions', body: { blob: 'x'.repeat(21 * 1024 * 1024) } };
      const huge = { interruptId: 'f'.repeat(32), threadId, assistantId: 'single', digest: digestOf(hugePayload) };
      const cases: Array<[string, unknown, RegExp]> = [
        ['no event', {}, /no event was given/],
        ['missing requests', { event: { type: 'submit' } }, /requests/],
        [
          'wrong types',
          { event: { type: 'submit', requests: [{ interruptId: 5, threadId: 'x', payload: 1 }] } },
          /no valid request[\s\S]*interruptId/,
        ],
        ['unknown event', { event: { type: 'explode' } }, /cannot read its input event/],
        [
          'huge body',
          { event: { type: 'submit', requests: [{ ...huge, payload: hugePayload }] } },
          /over the bridge's limit/,
        ],
      ];
      for (const [name, input, expected] of cases) {
        const outcome = await send(input);
        if (name === 'huge body') {
          // Addressed to a thread, it is answered with an error outcome; the run itself succeeds.
          const errors = (await bridgeState('hold_bridge')).recentErrors
            .map((error: { message: string }) => error.message)
            .join('\n');
          expect(errors, name).toMatch(expected);
          continue;
        }
        expect(outcome.failed, name).toBe(true);
        expect(outcome.message, name).toMatch(expected);
      }
      expect(await heldBy('hold_bridge')).toEqual(before);

      // A valid request after all that: it pairs with the queued one, and every thread is answered.
      environment.emulator.setTimings({ inProgressMs: 50 });
      threads.push(await startThread({ prompt: `Held 3 ${tag}`, bridge: 'hold_bridge' }));
      for (const id of threads) {
        const { state } = await finishedThread(environment.client, id);
        expect(answersOf(state)[0].text).toContain('Held');
      }
      expect(linesMentioning(environment.emulator, tag)).toHaveLength(4);
      reportRow(
        '10 malformed input ×5 to a bridge holding work',
        'clear errors; queue and batch intact',
        4,
        4,
        Date.now() - started,
      );
    },
  );

  it('14. a call resumed with another request’s outcome fails with BridgeOutcomeMismatchError, not a wrong answer', async () => {
    const tag = tagged('mismatch');
    const threadId = await startThread({ prompt: `Mine ${tag}`, bridge: 'hold_bridge_b' });
    const waiting = await waitingInterrupt(threadId);
    await waitFor(
      async () => ((await heldBy('hold_bridge_b')).queue.length === 1 ? true : undefined),
      'the bridge to queue the request',
    );
    // A well-formed outcome, but of another request: what a resume sent to the wrong interrupt would carry.
    const otherDigest = digestOf({ url: '/v1/chat/completions', body: { prompt: `Not mine ${tag}` } });
    expect(otherDigest).not.toBe(waiting.value.digest);
    const wrongValue = {
      kind: 'batch-bridge/outcome',
      digest: otherDigest,
      requestKey: 'another-request',
      batchId: 'batch_other',
      customId: 'other-1',
      attempts: 1,
      queuedAt: Date.now(),
      submittedAt: Date.now(),
      completedAt: Date.now(),
      outcome: { type: 'success', statusCode: 200, body: { choices: [{ message: { content: 'a wrong answer' } }] } },
    };
    const run = await environment.client.runs.create(threadId, 'single', {
      command: { resume: { [waiting.id]: wrongValue } },
      multitaskStrategy: 'enqueue',
    });
    const { thread } = await finishedThread(environment.client, threadId);
    expect(thread.status).toBe('error');
    const outcome = JSON.stringify(await environment.client.runs.join(threadId, run.run_id));
    expect(outcome).toMatch(/BridgeOutcomeMismatchError/);
    expect(outcome).toMatch(/resumed with a value that is not its own batch result/);
    expect(outcome).not.toContain('a wrong answer');

    // The call's own request stays queued (hold_bridge_b sends only pairs) until the server stops: never answered.
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(0);
  });

  it('15. a resume run cancelled before it ran (a restart dropped it, someone cancelled it) is sent again: the call is answered once, from one batch line', async () => {
    const tag = tagged('lost-resume');
    const thread = await environment.client.threads.create();
    const threadId = thread.thread_id;
    const first = await environment.client.runs.create(threadId, 'busy', {
      input: { prompt: `Lost resume ${tag}`, busyMs: 20_000 },
      multitaskStrategy: 'enqueue',
    });
    // The bridge's resume is enqueued behind the busy run; it is cancelled while it waits there.
    const resume = await waitFor(
      async () =>
        (await environment.client.runs.list(threadId, { limit: 10 })).find(
          (run) => run.run_id !== first.run_id && run.status === 'pending',
        ),
      'the resume run to be enqueued',
    );
    await environment.client.runs.cancel(threadId, resume.run_id);
    const { state, runs } = await finishedThread(environment.client, threadId, 60_000);

    const results = answersOf(state) as unknown as Array<Record<string, unknown>>;
    expect(results.filter((result) => typeof result.text === 'string')).toHaveLength(1);
    expect(state.tasks.flatMap((task) => task.interrupts)).toEqual([]);
    expect(linesMentioning(environment.emulator, tag)).toHaveLength(1);
    const statuses = [...runs]
      .sort((left, right) => left.created_at.localeCompare(right.created_at))
      .map((run) => run.status);
    // The busy run, the cancelled resume, the one sent again: three runs, the second never ran.
    expect(statuses).toEqual(['success', 'interrupted', 'success']);
    const bridge = await bridgeState('batch_bridge');
    expect(bridge.totals.resent).toBeGreaterThanOrEqual(1);
    expect(
      (bridge.recentErrors as Array<{ message: string }>).some((error) =>
        error.message.includes(`resume run ${resume.run_id} ended 'interrupted'`),
      ),
    ).toBe(true);
  }, 180_000);
});
