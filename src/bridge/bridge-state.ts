import { Annotation } from '@langchain/langgraph';
import { emptyCostTotals, type CostTotals } from '../core/index.js';

/** A batch the bridge submitted and still polls. */
export interface InFlightBatch {
  /**
   * The tag this submission carries in the batch's metadata, chosen before the API is asked: a bridge that died before
   * it learned the batch id finds the batch by it (recover-submissions.ts).
   */
  submissionTag: string;
  /** null from just before the batch is created until the API's answer is recorded. */
  batchId: string | null;
  label: string;
  status: string;
  requestCount: number;
  requestCounts: { total: number; completed: number; failed: number } | null;
  submittedAt: string;
  lastPolledAt: string | null;
  /** Times polling this batch failed in a row (the API answered 500, the output file was missing, ...). */
  pollFailures: number;
  /** Set when a user asked to cancel it. */
  cancelRequested: boolean;
  /**
   * A batch adopted by reconciliation while some of its lines' requests were still unknown: it is not polled before
   * this time (ms), so that a request handed over again meanwhile joins it instead of being submitted a second time.
   */
  adoptingUntil?: number | null;
}

/** A batch of this bridge's identity at the API whose requests nobody can receive any more. */
export interface OrphanBatch {
  batchId: string;
  status: string;
  label: string;
  createdAt: string;
  requestCount: number;
  /** Its metadata carries this deployment's id: it was cancelled without asking. */
  provablyOurs: boolean;
  action: 'cancelled' | 'cancel failed' | 'reported';
  /** How a person cancels it. */
  cancelCommand: string | null;
  foundAt: string;
}

/** What reconciliation with the batch API found, for `batch-bridge status`. */
export interface ReconciliationSummary {
  /** The last listing of the API's batches. */
  at: string | null;
  /** API calls made for reconciliation so far (list pages, batch reads, cancels). */
  apiCalls: number;
  adoptedBatches: number;
  adoptedRequests: number;
  /** Unknown batches still waiting for their requests to be handed over again. */
  pendingBatches: number;
  /** Threads asked to hand their request over again (lost hand-overs). */
  nudgedThreads: number;
  /** The last 20 orphans, newest first. */
  orphans: OrphanBatch[];
}

export const emptyReconciliation = (): ReconciliationSummary => ({
  at: null,
  apiCalls: 0,
  adoptedBatches: 0,
  adoptedRequests: 0,
  pendingBatches: 0,
  nudgedThreads: 0,
  orphans: [],
});

export interface BridgeTotals {
  received: number;
  duplicates: number;
  rejected: number;
  submitted: number;
  retried: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  delivered: number;
  /** Outcomes sent again after their resume run ended without the thread taking them. */
  resent?: number;
  /** Outcomes given up on after every resume attempt failed (each named in recentErrors). */
  undeliverable?: number;
  batches: number;
}

export const emptyTotals = (): BridgeTotals => ({
  received: 0,
  duplicates: 0,
  rejected: 0,
  submitted: 0,
  retried: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  delivered: 0,
  batches: 0,
});

const lastValue = <T>(initial: () => T) => Annotation<T>({ reducer: (_previous, next) => next, default: initial });

/**
 * The bridge's state is a summary an operator can read (threads.getState, LangGraph Studio); the requests themselves
 * live in the store, so a checkpoint stays small however long the queue is.
 */
export const BridgeStateAnnotation = Annotation.Root({
  /** The event this run was started with: submit, tick or cancel. */
  event: lastValue<unknown>(() => null),
  /** What the last successful run was for (a submit shows its request count, not the bodies). */
  lastEvent: lastValue<unknown>(() => null),
  queued: lastValue<number>(() => 0),
  queuedBytes: lastValue<number>(() => 0),
  oldestQueuedAt: lastValue<number | null>(() => null),
  /** Requests waiting out a backoff (token_limit_exceeded) are not submitted before this time. */
  backoffUntil: lastValue<number | null>(() => null),
  batches: lastValue<InFlightBatch[]>(() => []),
  /** Batch sizes cut down after token_limit_exceeded, by batch label (endpoint and model). */
  batchSizeLimits: lastValue<Record<string, number>>(() => ({})),
  /** Submissions the API refused in a row, by batch label: the next one waits twice as long (submit-batch.ts). */
  submitFailures: lastValue<Record<string, number>>(() => ({})),
  /** Outcomes whose resume run has not been accepted yet. */
  undelivered: lastValue<number>(() => 0),
  /** Outcomes whose resume run was accepted, until their thread is seen to have taken them. */
  resuming: lastValue<number>(() => 0),
  nextTickAt: lastValue<number | null>(() => null),
  lastTickAt: lastValue<string | null>(() => null),
  /** When the bridge last ran (a run much later than this reconciles with the batch API: a gap). */
  lastRunAt: lastValue<string | null>(() => null),
  lastError: lastValue<{ at: string; message: string } | null>(() => null),
  /** The last ten errors, newest first, so that one does not hide another. */
  recentErrors: lastValue<Array<{ at: string; message: string }>>(() => []),
  totals: lastValue<BridgeTotals>(emptyTotals),
  /**
   * What the answers this bridge received cost at batch price, would have cost at synchronous price, and saved; with
   * the answers whose model has no known price counted apart (their cost is unknown).
   */
  cost: lastValue<CostTotals>(emptyCostTotals),
  reconciliation: lastValue<ReconciliationSummary>(emptyReconciliation),
});

export type BridgeState = typeof BridgeStateAnnotation.State;

/** The state of a bridge that has never run: every channel at its default. */
export function emptyBridgeState(): BridgeState {
  return {
    event: null,
    lastEvent: null,
    queued: 0,
    queuedBytes: 0,
    oldestQueuedAt: null,
    backoffUntil: null,
    batches: [],
    batchSizeLimits: {},
    submitFailures: {},
    undelivered: 0,
    resuming: 0,
    nextTickAt: null,
    lastTickAt: null,
    lastRunAt: null,
    lastError: null,
    recentErrors: [],
    totals: emptyTotals(),
    cost: emptyCostTotals(),
    reconciliation: emptyReconciliation(),
  };
}
