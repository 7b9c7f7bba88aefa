import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@langchain/langgraph-sdk';
import { startLangGraphDevServer, type RunningLangGraphDevServer } from '../../../src/testing/langgraph-dev-server.js';
import { startOpenAIBatchEmulator } from '../../../src/testing/index.js';
import type { EmulatorOptions, RunningEmulator } from '../../../src/testing/types.js';

const graphsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../graphs');

export const e2eGraphs: Record<string, string> = {
  batch_bridge: `${graphsFolder}/bridges.ts:batchBridge`,
  bridge_small: `${graphsFolder}/bridges.ts:smallBridge`,
  single: `${graphsFolder}/agents.ts:single`,
  sequential: `${graphsFolder}/agents.ts:sequential`,
  fanout: `${graphsFolder}/agents.ts:fanout`,
  tools: `${graphsFolder}/agents.ts:tools`,
  agent: `${graphsFolder}/agents.ts:agent`,
  structured: `${graphsFolder}/agents.ts:structured`,
  embeddings: `${graphsFolder}/agents.ts:embeddings`,
  streaming: `${graphsFolder}/agents.ts:streaming`,
};

export interface E2EEnvironment {
  emulator: RunningEmulator;
  server: RunningLangGraphDevServer;
  client: Client;
  close(): Promise<void>;
}

export const testApiKey = 'sk-test-batch-bridge-e2e-0123456789';

/** A real `langgraphjs dev` server whose bridges talk to a real (offline) OpenAI Batch API emulator. */
export async function startE2EEnvironment(options: { emulator?: EmulatorOptions; graphs?: Record<string, string> } = {}): Promise<E2EEnvironment> {
  const emulator = await startOpenAIBatchEmulator({ apiKey: testApiKey, ...options.emulator });
  let server: RunningLangGraphDevServer;
  try {
    server = await startLangGraphDevServer({
      graphs: options.graphs ?? e2eGraphs,
      env: { OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: testApiKey },
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const client = new Client({ apiUrl: server.url, callerOptions: { maxConcurrency: 32 } });
  return {
    emulator,
    server,
    client,
    async close() {
      await Promise.allSettled([server.close(), emulator.close()]);
    },
  };
}

/** Polls until `check` returns a value other than undefined. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Starts a thread on a graph and waits until it has finished: no run pending, no interrupt left. */
export async function runThread(client: Client, graph: string, input: Record<string, unknown>, timeoutMs = 60_000) {
  const thread = await client.threads.create();
  await client.runs.create(thread.thread_id, graph, { input, multitaskStrategy: 'enqueue' });
  return finishedThread(client, thread.thread_id, timeoutMs);
}

export async function finishedThread(client: Client, threadId: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const thread = await client.threads.get(threadId);
      if (thread.status !== 'idle' && thread.status !== 'error') return undefined;
      const runs = await client.runs.list(threadId, { limit: 100 });
      if (runs.some((run) => run.status === 'pending' || run.status === 'running')) return undefined;
      return { thread, state: await client.threads.getState(threadId), runs };
    },
    `thread ${threadId} to finish`,
    timeoutMs,
  );
}

/** Batch lines (across every batch the emulator received) whose body mentions `tag`. */
export function linesMentioning(emulator: RunningEmulator, tag: string) {
  return emulator.record().batches.flatMap((batch) => batch.lines.filter((line) => JSON.stringify(line.body).includes(tag)));
}
