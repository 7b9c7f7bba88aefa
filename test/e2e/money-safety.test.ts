import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeThreadId } from '../../src/index.js';
import { runThread, startE2EEnvironment, waitFor, type E2EEnvironment } from './support/e2e-environment.js';
import { reportRow, tagged, type Answer } from './support/fanout.js';

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
