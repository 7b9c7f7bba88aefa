import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cancelBatchRequests, ThreadRunError, waitForAnswer, WaitForAnswerTimeoutError } from '../../src/index.js';
import { e2eGraphs, startE2EEnvironment, waitFor, type E2EEnvironment } from './support/e2e-environment.js';
import { tagged, type Answer } from './support/fanout.js';

/**
 * What a client does to get a thread's final state on a real `langgraphjs dev` server: `runs.wait` returns at the
 * first batch interrupt; `waitForAnswer` waits through every batch round trip.
 */
const graphsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'graphs');
let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment({
    graphs: {
      batch_bridge: e2eGraphs.batch_bridge,
      hold_bridge: e2eGraphs.hold_bridge,
      single: e2eGraphs.single,
      sequential: e2eGraphs.sequential,
      ask_person: `${graphsFolder}/ask-person.ts:askPerson`,
    },
  });
});

afterAll(async () => {
  await environment?.close();
});

async function startThread(graph: string, input: Record<string, unknown>): Promise<string> {
  const { thread_id } = await environment.client.threads.create();
  await environment.client.runs.create(thread_id, graph, { input, multitaskStrategy: 'enqueue' });
  return thread_id;
}

describe('waitForAnswer on a real server', () => {
  it('returns the final values after every batch round trip, where runs.wait stops at the first interrupt', async () => {
    const tag = tagged('two-calls');
    const { thread_id } = await environment.client.threads.create();
    const early = (await environment.client.runs.wait(thread_id, 'sequential', {
      input: { prompt: `Two calls ${tag}` },
    })) as { __interrupt__?: Array<{ value: { kind: string } }>; results?: unknown[] };
    expect(early.__interrupt__?.[0].value.kind).toBe('batch-bridge/request');
    expect(early.results ?? []).toHaveLength(0);

    const values = await waitForAnswer<{ results: Answer[] }>(environment.client, thread_id, {
      timeoutMs: 60_000,
      pollIntervalMs: 200,
    });
    expect(values.__interrupt__).toBeUndefined();
    expect(values.results).toHaveLength(2);
    // Both answers came through batches (the emulator's wording is its own business: only that they are there).
    expect(values.results.every((answer) => (answer.text ?? '').length > 0)).toBe(true);
    expect((await environment.client.threads.get(thread_id)).status).toBe('idle');
    expect(
      environment.emulator.record().batches.filter((batch) => JSON.stringify(batch.lines).includes(tag)),
    ).toHaveLength(2);
  });

  it("returns at the graph's own interrupt once the batch answer is in, with __interrupt__ as runs.wait has it", async () => {
    const tag = tagged('ask-person');
    const threadId = await startThread('ask_person', { prompt: `Draft ${tag}` });
    const asked = await waitForAnswer<{ draft: string }>(environment.client, threadId, { pollIntervalMs: 200 });
    expect(asked.draft.length).toBeGreaterThan(0);
    expect(environment.emulator.record().batches.some((batch) => JSON.stringify(batch.lines).includes(tag))).toBe(true);
    expect(asked.__interrupt__).toHaveLength(1);
    expect(asked.__interrupt__?.[0].value).toEqual({ question: `Send this? ${asked.draft}` });

    await environment.client.runs.create(threadId, 'ask_person', { command: { resume: 'yes' } });
    const done = await waitForAnswer<{ approved: boolean }>(environment.client, threadId, { pollIntervalMs: 200 });
    expect(done).toMatchObject({ draft: asked.draft, approved: true });
    expect(done.__interrupt__).toBeUndefined();
  });

  it('rejects with ThreadRunError carrying the run error when the thread ends in an error', async () => {
    const threadId = await startThread('single', { prompt: `Nowhere ${tagged('error')}`, bridge: 'no_such_bridge' });
    const failure = await waitForAnswer(environment.client, threadId, { pollIntervalMs: 200 }).catch((e) => e);
    expect(failure).toBeInstanceOf(ThreadRunError);
    expect(failure.threadId).toBe(threadId);
    expect(failure.message).toMatch(/BridgeUnavailableError[\s\S]*no_such_bridge/);
  });

  it('gives up after timeoutMs naming the waiting calls; a cancelled call then lets the thread finish', async () => {
    // hold_bridge submits only with a second request: a lone one waits until it is cancelled.
    const threadId = await startThread('single', { prompt: `Held ${tagged('held')}`, bridge: 'hold_bridge' });
    // The timeout counts from the call: it starts once the thread waits on its batch request, so that the error names
    // the waiting call however long the run took to get there on a loaded machine.
    await waitFor(async () => {
      const thread = await environment.client.threads.get(threadId);
      const interrupts = Object.values(thread.interrupts ?? {}).flat();
      return thread.status === 'interrupted' &&
        interrupts.some((pending) => (pending.value as { kind?: string }).kind === 'batch-bridge/request')
        ? true
        : undefined;
    }, 'the thread to wait on its batch request');
    const started = Date.now();
    const timedOut = await waitForAnswer(environment.client, threadId, { timeoutMs: 3000, pollIntervalMs: 200 }).catch(
      (e) => e,
    );
    expect(timedOut).toBeInstanceOf(WaitForAnswerTimeoutError);
    expect(timedOut.message).toMatch(/1 call\(s\) waiting on a batch/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - started).toBeLessThan(6000);

    expect(await cancelBatchRequests(environment.client, { threadId, bridge: 'hold_bridge' })).toEqual({ requests: 1 });
    const values = await waitForAnswer<{ results: Answer[] }>(environment.client, threadId, { pollIntervalMs: 200 });
    expect(values.results[0].error).toMatchObject({ name: 'AI_APICallError', isRetryable: false });
    expect(values.results[0].error?.message).toMatch(/cancel/i);
  });
});
