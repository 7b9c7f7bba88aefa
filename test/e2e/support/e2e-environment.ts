import { bridgeThreadId } from '../../../src/protocol/index.js';
import { startupTickLogPrefix } from '../../../src/bridge/startup-tick.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  streaming_deltas: `${graphsFolder}/agents.ts:streamingDeltas`,
  fault_bridge: `${graphsFolder}/bridges.ts:faultBridge`,
  slow_flush_bridge: `${graphsFolder}/bridges.ts:slowFlushBridge`,
  hold_bridge: `${graphsFolder}/bridges.ts:holdBridge`,
  refused_key_bridge: `${graphsFolder}/bridges.ts:refusedKeyBridge`,
  // The same bridge under a second graph id: its own queue, so that one test's leftovers never pair with another's.
  hold_bridge_b: `${graphsFolder}/bridges.ts:holdBridge`,
  count_bridge: `${graphsFolder}/bridges.ts:countBridge`,
  busy: `${graphsFolder}/reliability-agents.ts:busy`,
  retrying: `${graphsFolder}/reliability-agents.ts:retrying`,
  parallel: `${graphsFolder}/reliability-agents.ts:parallel`,
};

export interface E2EEnvironment {
  emulator: RunningEmulator;
  server: RunningLangGraphDevServer;
  client: Client;
  /** Every line the server printed, across restarts. */
  logs(): string[];
  /**
   * Stops the server cleanly and starts it again on the same data folder; `client` then talks to the new one.
   * `whileStopped` runs in between, when everything the server writes is on disk and nothing writes to it.
   */
  restartServer(whileStopped?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export const testApiKey = 'sk-test-batch-bridge-e2e-0123456789';

/** A real `langgraphjs dev` server whose bridges talk to a real (offline) OpenAI Batch API emulator. */
export async function startE2EEnvironment(
  options: {
    emulator?: EmulatorOptions;
    graphs?: Record<string, string>;
    /** The server's environment on top of the emulator's settings (`undefined` removes a variable). */
    serverEnv?: Record<string, string | undefined>;
  } = {},
): Promise<E2EEnvironment> {
  const emulator = await startOpenAIBatchEmulator({ apiKey: testApiKey, ...options.emulator });
  const directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-e2e-'));
  const earlierLogs: string[] = [];
  const start = async () => {
    const started = await startLangGraphDevServer({
      graphs: options.graphs ?? e2eGraphs,
      directory,
      env: { OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: testApiKey, ...options.serverEnv },
    });
    // The server ticks every bridge once soon after it starts (startup-tick.ts): a test starts after that, so that
    // no tick of its own arrives in the middle of a step the test holds back or counts.
    try {
      await waitFor(
        async () => started.logs().some((line) => line.includes(startupTickLogPrefix)) || undefined,
        'the server to send its startup ticks',
        60_000,
      );
    } catch (error) {
      await started.close();
      throw error;
    }
    return started;
  };
  const cleanUp = async () => {
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
  };
  let server: RunningLangGraphDevServer;
  try {
    server = await start();
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const connect = () => new Client({ apiUrl: server.url, callerOptions: { maxConcurrency: 32 } });
  const environment: E2EEnvironment = {
    emulator,
    server,
    client: connect(),
    logs: () => [...earlierLogs, ...environment.server.logs()],
    async restartServer(whileStopped) {
      await environment.server.stop();
      earlierLogs.push(...environment.server.logs());
      try {
        await whileStopped?.();
      } finally {
        server = await start();
      }
      environment.server = server;
      environment.client = connect();
    },
    async close() {
      await Promise.allSettled([environment.server.close()]);
      await cleanUp();
    },
  };
  return environment;
}

/** Polls until `check` returns a value other than undefined. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
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
  return emulator
    .record()
    .batches.flatMap((batch) => batch.lines.filter((line) => JSON.stringify(line.body).includes(tag)));
}

/** A bridge's state (what `batch-bridge status` reads), from its thread on the server. */
export async function bridgeStateOf<State = Record<string, any>>(client: Client, bridge: string): Promise<State> {
  return (await client.threads.getState(bridgeThreadId(bridge))).values as State;
}
