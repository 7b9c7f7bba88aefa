import { randomUUID } from 'node:crypto';
import type { Client } from '@langchain/langgraph-sdk';
import { errorMessage } from '../../src/core/index.js';
import { bridgeThreads, startBenchServer, type BenchServer, type MeterCounters } from './bench-server.js';

/**
 * `interrupt`: LangGraph's own pause and resume without the bridge. Each thread (task) interrupts; once all wait, the
 * benchmark resumes them. For N threads that is "the floor plus one more run per thread".
 */
export type Variant = 'floor' | 'interrupt' | 'direct' | 'bridge' | 'seed';
export type Shape = 'threads' | 'fanout';

export interface ScenarioResult {
  variant: Variant;
  shape: Shape;
  n: number;
  /** Milliseconds from the first runs.create: */
  createdMs?: number;
  queuedMs?: number;
  submittedMs?: number;
  /** When every resume run was accepted: the bridge's totals.delivered reached N, or the benchmark's own resumes. */
  deliveredMs?: number;
  /** `interrupt` variant: when every thread (task) was waiting at its interrupt. */
  interruptedMs?: number;
  doneMs?: number;
  /** Every thread done and the bridge thread idle (its last run finished). */
  totalMs?: number;
  /** Emulator processing is instant, so a batch completes the moment it is created. */
  batchCompletedMs?: number;
  bridgeRuns?: number;
  batches?: number;
  apiCalls?: Record<string, number>;
  meter?: MeterCounters;
  /** The server's longest event-loop stalls (≥ 1 s), ms after the scenario started. */
  stalls?: Array<{ atMs: number; ms: number }>;
  peakMemoryBytes?: number;
  dataFolderBytes?: number;
  error?: string;
  /** Where a scenario that timed out had got to: threads (tasks) `what` (done, interrupted), requests the bridge received. */
  progress?: { what: string; count: number; received?: number };
}

export interface ScenarioOptions {
  variant: Variant;
  shape: Shape;
  n: number;
  /** Give up after this long (the row then shows the error). */
  timeoutMs: number;
  fanoutConcurrency?: number;
  /** Write a CPU profile of the server process for this scenario here. */
  cpuProfilePath?: string;
  log?: (line: string) => void;
}

const pollMs = 250;
/** The bridge's last totals seen, for the progress lines. */
let lastTotals: unknown;

/** Runs one scenario on a fresh server and emulator and measures it. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { variant, shape, n } = options;
  const result: ScenarioResult = { variant, shape, n };
  const env = await startBenchServer({
    flushAt: n,
    cpuProfilePath: options.cpuProfilePath,
    fanoutConcurrency: options.fanoutConcurrency,
  });
  try {
    await measure(env, options, result);
  } catch (error) {
    result.error = errorMessage(error);
    options.log?.(`  server's last lines:\n${env.server.logs().slice(-25).join('\n')}`);
  } finally {
    await env.stopCpuProfile();
    try {
      result.dataFolderBytes = Object.values(await env.stopAndMeasureDataFolder()).reduce((sum, size) => sum + size, 0);
    } catch {
      // the row keeps what it has
    }
    await env.close();
  }
  return result;
}

async function measure(env: BenchServer, options: ScenarioOptions, result: ScenarioResult): Promise<void> {
  const { variant, shape, n, log } = options;
  const { client } = env;
  const graph = shape === 'threads' ? variant : `${variant}_fanout`;
  const bridgeThread =
    variant === 'bridge' ? bridgeThreads.bridge : variant === 'seed' ? bridgeThreads.seed : undefined;
  lastTotals = undefined;
  const started = Date.now();
  const since = () => Date.now() - started;
  const deadline = started + options.timeoutMs;

  let fanoutThread: string | undefined;
  let threadIds: string[] = [];
  const creating = (async () => {
    if (shape === 'fanout') {
      fanoutThread = randomUUID();
      const prompts = Array.from({ length: n }, (_, index) => `question ${index}`);
      await client.runs.create(fanoutThread, graph, {
        input: { prompts },
        ifNotExists: 'create',
        multitaskStrategy: 'enqueue',
      });
    } else {
      threadIds = await createThreads(client, graph, n);
    }
    result.createdMs = since();
  })();
  let creationError: unknown;
  creating.catch((error) => (creationError = error));

  let lastReport = 0;
  let lastCount = 0;
  const pollUntil = async (what: string, count: () => Promise<{ count: number; failed: number }>) => {
    for (;;) {
      if (creationError) throw creationError;
      if (Date.now() > deadline) {
        // How far it got is the result of a scenario that does not finish.
        const received = (lastTotals as { received?: number } | undefined)?.received;
        result.progress = { what, count: lastCount, received };
        throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s`);
      }
      // A busy server may time a poll out (HTTP 408); that is no result, so the poll is simply made again.
      const done = await (async () => {
        if (bridgeThread) await observeBridge(client, bridgeThread, n, since(), result);
        return count();
      })().catch((error: unknown) => {
        log?.(`  ${Math.round(since() / 1000)} s: poll failed (${errorMessage(error)}); polling on`);
        return { count: -1, failed: 0 };
      });
      if (done.failed > 0) throw new Error(`${done.failed} thread(s) ended in error`);
      if (done.count >= 0) lastCount = done.count;
      if (done.count >= n && result.createdMs !== undefined) return since();
      if (log && Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const bridge = bridgeThread ? ` (bridge: ${JSON.stringify(lastTotals)})` : '';
        log(`  ${Math.round(since() / 1000)} s: ${done.count}/${n} ${what}${bridge}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  if (variant === 'interrupt') {
    // LangGraph's own pause and resume, no bridge: every thread (task) interrupts, then is resumed with a plain value.
    result.interruptedMs = await pollUntil('interrupted', () => countInterrupted(client, graph, shape, fanoutThread));
    const resume = (threadId: string) =>
      client.runs.create(threadId, graph, { command: { resume: 'ok' }, multitaskStrategy: 'enqueue' });
    if (fanoutThread) await resume(fanoutThread);
    else await inParallel(threadIds, 32, resume);
    result.deliveredMs = since();
  }
  result.doneMs = await pollUntil('done', () => countDone(client, graph, shape, fanoutThread));

  result.totalMs = result.doneMs;
  if (bridgeThread) {
    // The last resume runs may be accepted in the run that also saw the threads finish; read the totals once more.
    await observeBridge(client, bridgeThread, n, since(), result);
    while ((await bridgeIsWorking(client, bridgeThread)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    result.totalMs = since();
    const record = env.emulator.record();
    result.batches = record.batches.length;
    result.apiCalls = record.calls;
    const lastCreated = Math.max(...record.batches.map((batch) => batch.createdAt));
    if (record.batches.length > 0) result.submittedMs = result.batchCompletedMs = lastCreated - started;
    // Both are observed by polling; a request cannot be submitted before it is queued.
    if (result.queuedMs !== undefined && result.submittedMs !== undefined)
      result.queuedMs = Math.min(result.queuedMs, result.submittedMs);
    result.bridgeRuns = (await client.runs.list(bridgeThread, { limit: 1_000_000 })).length;
  }
  result.peakMemoryBytes = await env.peakMemoryBytes();
  // The meter writes its file every 500 ms while counters change.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const meter = await env.meter();
  result.meter = meter?.counters;
  result.stalls = meter?.stalls.map(({ at, ms }) => ({ atMs: at - started, ms }));
}

/** Creates N threads with one run each, 32 at a time, as a client enqueuing an evaluation would. */
async function createThreads(client: Client, graph: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await inParallel(ids, 32, (threadId, index) =>
    client.runs.create(threadId, graph, {
      input: { prompt: `question ${index}` },
      ifNotExists: 'create',
      multitaskStrategy: 'enqueue',
    }),
  );
  return ids;
}

async function inParallel<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * True while a bridge run is running or due. A tick scheduled for later (the age rule's safety net, 60 s after the
 * first request) is pending too, but it is not work left: the dev server stamps a delayed run with its due time.
 */
async function bridgeIsWorking(client: Client, threadId: string): Promise<boolean> {
  const runs = await client.runs.list(threadId, { limit: 1_000_000 });
  return runs.some(
    (run) => run.status === 'running' || (run.status === 'pending' && Date.parse(run.created_at) <= Date.now()),
  );
}

async function observeBridge(client: Client, threadId: string, n: number, now: number, result: ScenarioResult) {
  const state = await client.threads.getState(threadId).catch(() => undefined);
  const totals = (state?.values as { totals?: { received: number; submitted: number; delivered: number } } | undefined)
    ?.totals;
  if (!totals) return;
  lastTotals = totals;
  if (result.queuedMs === undefined && totals.received >= n) result.queuedMs = now;
  if (result.deliveredMs === undefined && totals.delivered >= n) result.deliveredMs = now;
}

/** Threads (or fan-out tasks) whose run has ended waiting at an interrupt. */
async function countInterrupted(client: Client, graph: string, shape: Shape, fanoutThread: string | undefined) {
  if (shape === 'fanout') {
    const thread = fanoutThread ? await client.threads.get(fanoutThread).catch(() => undefined) : undefined;
    const waiting = thread?.status === 'interrupted' ? Object.values(thread.interrupts ?? {}).flat().length : 0;
    return { count: waiting, failed: thread?.status === 'error' ? 1 : 0 };
  }
  const count = await client.threads.count({ status: 'interrupted', metadata: { graph_id: graph } });
  const failed = await client.threads.count({ status: 'error', metadata: { graph_id: graph } });
  return { count, failed };
}

async function countDone(client: Client, graph: string, shape: Shape, fanoutThread: string | undefined) {
  if (shape === 'fanout') {
    if (!fanoutThread) return { count: 0, failed: 0 };
    const thread = await client.threads.get(fanoutThread).catch(() => undefined);
    if (thread?.status === 'error') return { count: 0, failed: 1 };
    if (thread?.status !== 'idle') return { count: 0, failed: 0 };
    const answers = (thread.values as { answers?: number } | undefined)?.answers ?? 0;
    return { count: answers, failed: 0 };
  }
  const count = await client.threads.count({ status: 'idle', metadata: { graph_id: graph } });
  const failed = await client.threads.count({ status: 'error', metadata: { graph_id: graph } });
  return { count, failed };
}
