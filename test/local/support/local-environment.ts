import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeLocalBatchers } from '../../../src/local/index.js';
import { createBatchOpenAI, type BatchOpenAIProviderSettings } from '../../../src/index.js';
import { startOpenAIBatchEmulator } from '../../../src/testing/index.js';
import type { EmulatorOptions, RunningEmulator } from '../../../src/testing/types.js';

export const testApiKey = 'sk-test-batch-bridge-local-0123456789';

export interface LocalEnvironment {
  emulator: RunningEmulator;
  /** A fresh store folder of this test, deleted by close(). */
  directory: string;
  /** The notes the batcher printed (its `log` option). */
  lines: string[];
  provider(settings?: BatchOpenAIProviderSettings): ReturnType<typeof createBatchOpenAI>;
  close(): Promise<void>;
}

/** An emulator and a store folder; providers made here batch in this process with fast timings. */
export async function startLocalEnvironment(options: { emulator?: EmulatorOptions } = {}): Promise<LocalEnvironment> {
  const emulator = await startOpenAIBatchEmulator({ apiKey: testApiKey, ...options.emulator });
  const directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-local-'));
  const lines: string[] = [];
  return {
    emulator,
    directory,
    lines,
    provider: (settings = {}) =>
      createBatchOpenAI({
        baseURL: emulator.baseURL,
        apiKey: testApiKey,
        ...settings,
        local: {
          directory,
          maxWaitMs: 20,
          pollIntervalMs: 25,
          log: (line) => void lines.push(line),
          ...settings.local,
        },
      }),
    async close() {
      await closeLocalBatchers();
      await Promise.allSettled([emulator.close(), rm(directory, { recursive: true, force: true })]);
    },
  };
}

/** Polls until `check` returns a value other than undefined. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
