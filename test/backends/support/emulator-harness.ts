import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  createOpenAIBackend,
  type OpenAIBackend,
  type OpenAIBackendSettings,
  type OpenAIBatchPoll,
} from '../../../src/backends/openai/index.js';
import type {
  OpenAIBatchRequest as BatchRequest,
  OpenAISubmittedBatch as SubmittedBatch,
} from '../../../src/backends/openai/index.js';
import { defaultTimings, startOpenAIBatchEmulator } from '../../../src/testing/index.js';
import type { EmulatorOptions, RunningEmulator } from '../../../src/testing/types.js';

export const emulatorApiKey = 'sk-emulator-test-0123456789abcdef';

/** Fast retries: the emulator's faults are immediate, so waiting only slows the suite. */
export const testRetry = { attempts: 3, baseDelayMs: 2, maxDelayMs: 10 };

export interface EmulatorHarness {
  emulator: RunningEmulator;
  /** A plain client on the emulator, for looking at what the backend does not show (files, metadata). */
  client: OpenAI;
  backend(settings?: OpenAIBackendSettings): OpenAIBackend;
  /** Plans and submits; every submitted custom id is expected in the emulator exactly once per call of this. */
  submitAll(
    backend: OpenAIBackend,
    requests: BatchRequest[],
    metadata?: Record<string, string>,
  ): Promise<SubmittedBatch[]>;
  /** Records that requests were submitted again on purpose (a retry), so the exactly-once check expects it. */
  expectSubmitted(customIds: readonly string[]): void;
}

/**
 * One emulator per test file. After each test, the emulator must have received every request the test submitted
 * exactly as many times as the test submitted it (once, unless it retried on purpose), and nothing else.
 */
export function useEmulator(options: EmulatorOptions = {}): EmulatorHarness {
  let emulator: RunningEmulator | undefined;
  let client: OpenAI | undefined;
  let expected = new Map<string, number>();

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator({ apiKey: emulatorApiKey, seed: 7, ...options });
    client = new OpenAI({ apiKey: emulatorApiKey, baseURL: emulator.baseURL, maxRetries: 0 });
  });

  afterEach(() => {
    const counts = Object.fromEntries(harness.emulator.submittedCounts());
    const wanted = Object.fromEntries(expected);
    expected = new Map();
    // Reset before asserting, so that one failed test does not leave its faults to the next.
    harness.emulator.reset();
    harness.emulator.setFaults(options.faults ?? {});
    harness.emulator.setHttpFaults({});
    harness.emulator.setTimings({ ...defaultTimings, ...options.timings });
    expect(counts, 'requests the emulator received, by custom id').toEqual(wanted);
  });

  afterAll(async () => {
    await emulator?.close();
  });

  const expectSubmitted = (customIds: readonly string[]) => {
    for (const customId of customIds) expected.set(customId, (expected.get(customId) ?? 0) + 1);
  };

  const harness: EmulatorHarness = {
    get emulator() {
      if (!emulator) throw new Error('The emulator has not started.');
      return emulator;
    },
    get client() {
      if (!client) throw new Error('The emulator has not started.');
      return client;
    },
    backend: (settings = {}) =>
      createOpenAIBackend({ apiKey: emulatorApiKey, baseURL: harness.emulator.baseURL, retry: testRetry, ...settings }),
    submitAll: async (backend, requests, metadata) => {
      const groups = backend.plan(requests);
      const submitted = await Promise.all(groups.map((group) => backend.submit(group, { metadata })));
      for (const batch of submitted) expectSubmitted(batch.customIds);
      return submitted;
    },
    expectSubmitted,
  };
  return harness;
}

/** Polls until the batch is terminal, as the bridge would, but every few milliseconds. */
export async function pollUntilTerminal(
  backend: OpenAIBackend,
  batch: Pick<SubmittedBatch, 'batchId' | 'customIds'>,
  timeoutMs = 10_000,
): Promise<OpenAIBatchPoll & { outcomes: NonNullable<OpenAIBatchPoll['outcomes']> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const poll = await backend.poll(batch);
    if (poll.outcomes) return poll as OpenAIBatchPoll & { outcomes: NonNullable<OpenAIBatchPoll['outcomes']> };
    if (Date.now() > deadline) throw new Error(`Batch ${batch.batchId} still ${poll.status} after ${timeoutMs} ms.`);
    await sleep(5);
  }
}

/** Waits, through a plain client, until the batch reaches one of the given statuses (to act in the middle of its life). */
export async function waitForBatchStatus(
  client: OpenAI,
  batchId: string,
  statuses: readonly string[],
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.batches.retrieve(batchId);
    if (statuses.includes(batch.status)) return;
    if (Date.now() > deadline) throw new Error(`Batch ${batchId} still ${batch.status} after ${timeoutMs} ms.`);
    await sleep(5);
  }
}

/** Polls through the backend until the batch reaches one of the given statuses. */
export async function pollUntilStatus(
  backend: OpenAIBackend,
  batch: Pick<SubmittedBatch, 'batchId' | 'customIds'>,
  statuses: readonly string[],
  timeoutMs = 10_000,
): Promise<OpenAIBatchPoll> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const poll = await backend.poll(batch);
    if (statuses.includes(poll.status)) return poll;
    if (Date.now() > deadline) throw new Error(`Batch ${batch.batchId} still ${poll.status} after ${timeoutMs} ms.`);
    await sleep(5);
  }
}

/** A chat request whose prompt carries its own id, so an answer can be traced back to the request it belongs to. */
export function tracedChatRequest(customId: string, model = 'gpt-4o-mini', extra = ''): BatchRequest {
  return {
    customId,
    payload: {
      url: '/v1/chat/completions',
      body: { model, messages: [{ role: 'user', content: `Question ${customId}.${extra}` }] },
    },
  };
}

/** The assistant text of a chat completion outcome body. */
export function chatText(body: unknown): string {
  return (body as { choices: Array<{ message: { content: string } }> }).choices[0].message.content;
}
