import type { Client, Interrupt } from '@langchain/langgraph-sdk';

export interface WaitForAnswerOptions {
  /** Give up after this long (a `WaitForAnswerTimeoutError`); default: wait as long as it takes (batches take up to 24 h). */
  timeoutMs?: number;
  /** How often the thread is read; default 1,000 ms. */
  pollIntervalMs?: number;
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The thread ended with an error: a run failed (the error is the run's, as LangGraph reports it). */
export class ThreadRunError extends Error {
  constructor(
    readonly threadId: string,
    readonly runId: string | undefined,
    readonly error: unknown,
  ) {
    super(`Thread ${threadId} ended with an error${runId ? ` in run ${runId}` : ''}: ${describe(error)}`);
    this.name = 'ThreadRunError';
  }
}

/** The thread was still waiting when `timeoutMs` ran out; `waitingRequests` counts its calls waiting on a batch. */
export class WaitForAnswerTimeoutError extends Error {
  constructor(
    readonly threadId: string,
    readonly timeoutMs: number,
    readonly waitingRequests: number,
  ) {
    super(
      `Thread ${threadId} still had work after ${timeoutMs} ms` +
        (waitingRequests > 0 ? `: ${waitingRequests} call(s) waiting on a batch.` : ': a run in progress or queued.'),
    );
    this.name = 'WaitForAnswerTimeoutError';
  }
}

/**
 * Waits until a thread has its final state, through the batch round trips of its model calls, and returns its
 * values, as `client.runs.wait` would for a graph without batches.
 *
 * `client.runs.wait` returns at a thread's first interrupt: a call that waits on a batch returns
 * `{ __interrupt__: [{ value: { kind: 'batch-bridge/request', ... } }] }` at once, and the answer arrives in a later
 * run that the bridge starts. This reads the thread until it is idle with no run pending or running. A thread that
 * stops on an interrupt of its own (a human-in-the-loop question) is returned too, with `__interrupt__` holding those
 * interrupts, as `runs.wait` does. A thread that ends in an error rejects with `ThreadRunError`.
 */
export async function waitForAnswer<Values extends Record<string, unknown> = Record<string, unknown>>(
  client: Client,
  threadId: string,
  options: WaitForAnswerOptions = {},
): Promise<Values & { __interrupt__?: Interrupt[] }> {
  const { timeoutMs, pollIntervalMs = 1000, signal } = options;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const thread = await client.threads.get<Values>(threadId);
    const interrupts = Object.values(thread.interrupts ?? {}).flat();
    const waitingOnBatches = interrupts.filter(isBatchRequest);
    const own = interrupts.filter((pending) => !isBatchRequest(pending));
    if (thread.status === 'error') throw await runError(client, threadId);
    // Interrupted with none of them a batch request: the graph waits on something else (a person), as runs.wait returns.
    const settled = thread.status === 'idle' || (thread.status === 'interrupted' && waitingOnBatches.length === 0);
    if (settled && !(await hasRunsToCome(client, threadId))) {
      const values = (thread.values ?? {}) as Values;
      return own.length > 0 ? { ...values, __interrupt__: own } : values;
    }
    if (Date.now() >= deadline) {
      throw new WaitForAnswerTimeoutError(threadId, timeoutMs ?? 0, waitingOnBatches.length);
    }
    await pause(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())), signal);
  }
}

function isBatchRequest(pending: Interrupt): boolean {
  return (pending.value as { kind?: unknown } | undefined)?.kind === 'batch-bridge/request';
}

async function hasRunsToCome(client: Client, threadId: string): Promise<boolean> {
  const [pending, running] = await Promise.all([
    client.runs.list(threadId, { status: 'pending', limit: 1 }),
    client.runs.list(threadId, { status: 'running', limit: 1 }),
  ]);
  return pending.length > 0 || running.length > 0;
}

async function runError(client: Client, threadId: string): Promise<ThreadRunError> {
  const [failed] = await client.runs.list(threadId, { status: 'error', limit: 1 });
  if (!failed) return new ThreadRunError(threadId, undefined, 'no failed run found');
  const outcome = (await client.runs.join(threadId, failed.run_id)) as { __error__?: unknown } | null;
  return new ThreadRunError(threadId, failed.run_id, outcome?.__error__ ?? 'the run failed');
}

function describe(error: unknown): string {
  if (typeof error === 'string') return error;
  const { error: name, message } = (error ?? {}) as { error?: string; message?: string };
  if (message) return name ? `${name}: ${message}` : message;
  return JSON.stringify(error);
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
