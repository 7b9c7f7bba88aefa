import { randomUUID } from 'node:crypto';
import type { Client } from '@langchain/langgraph-sdk';
import type { HandoverNote, SupportTicket, TriagedTicket } from '../../examples/ticket-triage.js';
import { BridgeWatch, type BridgeView } from './bridge-watch.js';

/** The demo's core, shared by `npm start` and its test: start the triage threads, watch them, collect what they did. */
export interface TriageWorkloadOptions {
  client: Client;
  tickets: SupportTicket[];
  model: string;
  /** Tickets one thread triages (its fan-out). */
  ticketsPerThread?: number;
  /** The triage agent's graph id in langgraph.json. */
  graph?: string;
  bridge?: string;
  onProgress?: (progress: WorkloadProgress) => void;
  progressIntervalMs?: number;
  /** Undefined: wait as long as it takes (real batches may take hours). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WorkloadProgress {
  elapsedMs: number;
  model: string;
  threads: { total: number; finished: number; failed: number };
  /** Model calls the workload makes: two per ticket (lookup, answer) and one handover per thread. */
  expectedRequests: number;
  bridge: BridgeView;
}

export interface ThreadOutcome {
  threadId: string;
  status: string;
  triaged: TriagedTicket[];
  handover?: HandoverNote;
  error?: string;
}

export interface WorkloadResult {
  runId: string;
  startedAt: Date;
  elapsedMs: number;
  threads: ThreadOutcome[];
  progress: WorkloadProgress;
}

interface TriageValues {
  triaged?: TriagedTicket[];
  handover?: HandoverNote;
}

export async function runTriageWorkload(options: TriageWorkloadOptions): Promise<WorkloadResult> {
  const { client, tickets, model, ticketsPerThread = 10, graph = 'ticket_triage', bridge = 'batch_bridge' } = options;
  const runId = randomUUID();
  const startedAt = new Date();
  const watch = new BridgeWatch(client, bridge);
  await watch.read(); // the baseline: what the bridge had done before this run
  const pages = chunk(tickets, ticketsPerThread);
  const threadIds: string[] = [];
  for (const page of pages) {
    const thread = await client.threads.create({ metadata: { batch_bridge_demo: runId } });
    threadIds.push(thread.thread_id);
    await client.runs.create(thread.thread_id, graph, {
      input: { tickets: page, model },
      multitaskStrategy: 'enqueue',
    });
  }

  const expectedRequests = tickets.length * 2 + pages.length;
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let threadsDoneAt: number | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const [bridgeView, outcomes] = await Promise.all([watch.read(), readThreads(client, runId, threadIds)]);
    const finished = outcomes.filter((outcome) => outcome.status === 'idle' && outcome.handover).length;
    const failed = outcomes.filter((outcome) => outcome.status === 'error').length;
    const progress: WorkloadProgress = {
      elapsedMs: Date.now() - startedAt.getTime(),
      model,
      threads: { total: pages.length, finished, failed },
      expectedRequests,
      bridge: bridgeView,
    };
    options.onProgress?.(progress);
    // The bridge counts a result as delivered once it has seen the thread take it, on its next tick: the report waits
    // for that (at most confirmWaitMs, in case other traffic on a shared server keeps the bridge busy).
    if (finished + failed === pages.length) threadsDoneAt ??= Date.now();
    if (threadsDoneAt !== undefined && (bridgeView.resuming === 0 || Date.now() - threadsDoneAt > confirmWaitMs)) {
      return { runId, startedAt, elapsedMs: progress.elapsedMs, threads: await withErrors(client, outcomes), progress };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `The triage threads did not finish within ${Math.round(options.timeoutMs! / 1000)} s ` +
          `(${finished} of ${pages.length} finished${bridgeView.lastError ? `; the bridge's last error: ${bridgeView.lastError}` : ''}).`,
      );
    }
    await sleep(options.progressIntervalMs ?? 300, options.signal);
  }
}

/** How long the report waits, once every thread has finished, for the bridge to confirm the last deliveries. */
const confirmWaitMs = 30_000;

/** One search for all of this run's threads, found by the run id in their metadata. */
async function readThreads(client: Client, runId: string, threadIds: string[]): Promise<ThreadOutcome[]> {
  const found = await client.threads.search({ metadata: { batch_bridge_demo: runId }, limit: threadIds.length + 10 });
  const byId = new Map(found.map((thread) => [thread.thread_id, thread]));
  return threadIds.map((threadId) => {
    const thread = byId.get(threadId);
    const values = (thread?.values ?? {}) as TriageValues;
    return { threadId, status: thread?.status ?? 'pending', triaged: values.triaged ?? [], handover: values.handover };
  });
}

/** A failed thread's last run says why; the report shows it instead of a bare count. */
async function withErrors(client: Client, outcomes: ThreadOutcome[]): Promise<ThreadOutcome[]> {
  return Promise.all(
    outcomes.map(async (outcome) => {
      if (outcome.status !== 'error') return outcome;
      const [run] = await client.runs.list(outcome.threadId, { limit: 1 });
      const joined = run
        ? ((await client.runs
            .join(outcome.threadId, run.run_id)
            .catch((error: unknown) => ({ error: String(error) }))) as {
            __error__?: { message?: string };
            error?: string;
          })
        : undefined;
      return { ...outcome, error: joined?.__error__?.message ?? joined?.error ?? 'the thread ended in an error' };
    }),
  );
}

function chunk<T>(items: T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let index = 0; index < items.length; index += size) pages.push(items.slice(index, index + size));
  return pages;
}

function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
