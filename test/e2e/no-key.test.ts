import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeThreadId } from '../../src/index.js';
import { runThread, startE2EEnvironment, waitFor, type E2EEnvironment } from './support/e2e-environment.js';
import { tagged, type Answer } from './support/fanout.js';

/** A server started without OPENAI_API_KEY: the bridge cannot submit, and says so to the waiting call. */
let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment({ serverEnv: { OPENAI_API_KEY: undefined } });
});

afterAll(async () => {
  await environment?.close();
});

describe('no API key on the bridge’s server', () => {
  it('fails the waiting call at once, naming OPENAI_API_KEY and the server; nothing reaches the API; the run succeeds', async () => {
    const tag = tagged('no-key');
    const { thread, state } = await runThread(environment.client, 'single', { prompt: `Keyless ${tag}` });
    expect(thread.status).toBe('idle');
    const [answer] = (state.values as { results: Answer[] }).results;
    expect(answer.error).toMatchObject({ name: 'AI_APICallError', isRetryable: false });
    expect(answer.error?.message).toMatch(/OPENAI_API_KEY/);
    expect(answer.error?.message).toMatch(/LangGraph server it runs on \(host /);
    expect(environment.emulator.record().calls).toEqual({});
    // Once the bridge has confirmed the resume (a tick after it), it goes quiet: every run it made succeeded.
    const runs = await waitFor(async () => {
      const listed = await environment.client.runs.list(bridgeThreadId('batch_bridge'), { limit: 100 });
      return listed.some((run) => run.status === 'pending' || run.status === 'running') ? undefined : listed;
    }, 'the bridge to go quiet');
    expect(runs.map((run) => run.status).filter((status) => status !== 'success')).toEqual([]);
  });
});
