import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeThreadId } from '../../src/index.js';
import {
  bridgeStateOf,
  runThread,
  startE2EEnvironment,
  waitFor,
  type E2EEnvironment,
} from './support/e2e-environment.js';
import { reportRow, runFanout, tagged, type Answer } from './support/fanout.js';

/**
 * A refused submission on a real server: the main of 2026-11-25 made ~1,500 bridge runs and uploads in two minutes
 * for a key the API refused (each tick found the request overdue and tried again at once). Now the refusal is final.
 */
let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

describe('a bridge whose key the API refuses', () => {
  it('fails the waiting call at once with the 401, in a handful of bridge runs, and then stays quiet', async () => {
    const tag = tagged('refused-key');
    const started = Date.now();
    const { thread, state } = await runThread(environment.client, 'single', {
      prompt: `Refused ${tag}`,
      bridge: 'refused_key_bridge',
    });
    expect(thread.status).toBe('idle');
    const [answer] = (state.values as { results: Answer[] }).results;
    expect(answer.error).toMatchObject({ name: 'AI_APICallError', statusCode: 401, isRetryable: false });
    expect(answer.error?.message).toMatch(/Incorrect API key|invalid_api_key|401/);

    const bridgeRuns = async () =>
      (await environment.client.runs.list(bridgeThreadId('refused_key_bridge'), { limit: 1000 })).length;
    const answeredAfter = await bridgeRuns();
    expect(answeredAfter).toBeLessThanOrEqual(5);
    // Quiet afterwards: no tick keeps trying (waited for as a condition that must stay false for 5 s).
    await expect(
      waitFor(async () => ((await bridgeRuns()) > answeredAfter + 1 ? true : undefined), 'more bridge runs', 5_000),
    ).rejects.toThrow(/Timed out/);
    expect(environment.emulator.record().batches.filter((batch) => JSON.stringify(batch.lines).includes(tag))).toEqual(
      [],
    );
    reportRow('401 on submission', 'the call fails with 401 at once; no loop', 0, 1, Date.now() - started);
  });
});

describe('the other refusals and faults of the real API, on a real server', () => {
  it('insufficient_quota on batch creation is final: the call fails with it at once, one upload, one creation', async () => {
    const tag = tagged('quota');
    const before = environment.emulator.record().calls;
    const { thread, state } = await runThread(environment.client, 'single', {
      prompt: `No money ${tag} [[fault:create=insufficient_quota]]`,
    });
    expect(thread.status).toBe('idle');
    const [answer] = (state.values as { results: Answer[] }).results;
    expect(answer.error).toMatchObject({ statusCode: 429, isRetryable: false });
    expect(answer.error?.message).toMatch(/quota/);
    const after = environment.emulator.record().calls;
    expect((after.upload ?? 0) - (before.upload ?? 0)).toBe(1);
    expect((after.createBatch ?? 0) - (before.createBatch ?? 0)).toBe(1);
  });

  it('a malformed line of an output file costs only its own request a second line; the others are answered at once', async () => {
    const tag = tagged('malformed');
    const run = await runFanout(
      environment.client,
      environment.emulator,
      'batch_bridge',
      [`A ${tag}`, `B ${tag} [[fault:line=malformed,times=1]]`, `C ${tag}`],
      tag,
    );
    expect(run.answers.filter((answer) => answer.text)).toHaveLength(3);
    expect(run.answers.map((answer) => answer.batchBridge?.attempts).sort()).toEqual([1, 1, 2]);
    expect(run.lines).toHaveLength(4);
    reportRow('malformed output line', '3/3 answered; 1 resubmitted', run.lines.length, 3, run.elapsedMs);
  });

  it('a bridge addressed by an assistant id is the same bridge: its request is submitted once, by the graph id’s thread', async () => {
    const tag = tagged('by-assistant');
    const assistant = await environment.client.assistants.create({ graphId: 'batch_bridge' });
    const { state } = await runThread(environment.client, 'single', {
      prompt: `Addressed by id ${tag}`,
      bridge: assistant.assistant_id,
    });
    const [answer] = (state.values as { results: Answer[] }).results;
    expect(answer.text).toContain('Addressed by id');
    expect(
      environment.emulator
        .record()
        .batches.flatMap((batch) => batch.lines)
        .filter((line) => JSON.stringify(line).includes(tag)),
    ).toHaveLength(1);
    const forwarding = await environment.client.runs.list(bridgeThreadId(assistant.assistant_id), { limit: 100 });
    expect(forwarding.length).toBeGreaterThanOrEqual(1);
    expect(forwarding.every((run) => run.status === 'success')).toBe(true);
    // That thread only forwarded: it queued and submitted nothing of its own.
    const values = await bridgeStateOf<{ lastEvent: { type: string }; totals?: { submitted: number } }>(
      environment.client,
      assistant.assistant_id,
    );
    expect(values.lastEvent).toMatchObject({ type: 'forwarded', to: bridgeThreadId('batch_bridge') });
    expect(values.totals?.submitted ?? 0).toBe(0);
  });

  it('a creation rate limit that outlasts the backend’s quick retries: the group backs off, then goes once, one upload per attempt', async () => {
    const tag = tagged('rate-limited');
    const before = environment.emulator.record().calls;
    const started = Date.now();
    const { state } = await runThread(environment.client, 'single', {
      prompt: `Slow down ${tag} [[fault:create=rate_limit,retry_after=1,times=5]]`,
    });
    const [answer] = (state.values as { results: Answer[] }).results;
    expect(answer.text).toContain('Slow down');
    const after = environment.emulator.record().calls;
    // The backend tries a creation 4 times (honouring Retry-After), then the bridge backs the group off and uploads
    // again once: two uploads, never a loop.
    expect((after.upload ?? 0) - (before.upload ?? 0)).toBe(2);
    expect((after.createBatch ?? 0) - (before.createBatch ?? 0)).toBeLessThanOrEqual(8);
    expect(
      environment.emulator.record().batches.filter((batch) => JSON.stringify(batch.lines).includes(tag)),
    ).toHaveLength(1);
    const values = await bridgeStateOf<{
      submitFailures: Record<string, number>;
      recentErrors: Array<{ at: string; message: string }>;
    }>(environment.client, 'batch_bridge');
    expect(values.submitFailures).toEqual({});
    // The refusal set a backoff of at least submitBackoffMs (5 s), and the batch was created only after it.
    const refusal = values.recentErrors.find(
      (error) => Date.parse(error.at) >= started && /failed \(1 in a row\); tried again at/.test(error.message),
    );
    expect(refusal, 'the bridge recorded the refusal and its backoff').toBeDefined();
    const triedAgainAt = Date.parse(/tried again at (\S+?):? /.exec(refusal!.message)![1]);
    expect(triedAgainAt - Date.parse(refusal!.at)).toBeGreaterThanOrEqual(4_900); // `at` is read a few ms later
    const batch = environment.emulator.record().batches.find((each) => JSON.stringify(each.lines).includes(tag))!;
    expect(batch.createdAt).toBeGreaterThanOrEqual(triedAgainAt - 1_000);
  });
});
