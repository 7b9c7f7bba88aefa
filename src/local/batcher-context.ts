import type { OpenAIBackend } from '../backends/openai/index.js';
import type { DeliveredOutcome } from '../core/index.js';
import type { BatchStore } from './batch-store.js';
import type { LocalSpending } from './local-notice.js';
import type { ResolvedLocalOptions } from './local-options.js';
import type { PendingRequest, WatchedRequest } from './pending-request.js';

/** What the submitting and polling steps need from the batcher that owns the queue and the waiting calls. */
export interface BatcherContext {
  readonly options: ResolvedLocalOptions;
  /** Which account's rows of the store this batcher reads and writes (see scopeOf). */
  readonly scope: string;
  readonly store: BatchStore;
  log(line: string): void;
  /** The backend, built on first need; throws when there is no API key. */
  backend(): OpenAIBackend;
  /** Batch sizes cut down after token_limit_exceeded, by group label (endpoint and model). */
  readonly batchSizeLimits: Record<string, number>;
  /** Submissions the API refused in a row, by group label (the next waits twice as long). */
  readonly submitFailures: Record<string, number>;
  /** What the batches this batcher saw end have cost and saved so far (the local mode's summary). */
  readonly spending: LocalSpending;
  /** The request of this run a batch line answers, if a call of this run waits for that very attempt. */
  pendingFor(member: WatchedRequest, customId: string): PendingRequest | undefined;
  deliver(pending: PendingRequest, delivered: DeliveredOutcome): void;
  requeue(pending: PendingRequest, attempt: number, notBefore: number | null): void;
  fail(pending: PendingRequest, error: unknown): void;
  watch(
    batch: {
      submissionId: string;
      batchId: string;
      label: string;
      submittedAt: number | null;
      members: Map<string, WatchedRequest>;
    },
    reattached: boolean,
  ): void;
  /** A watched batch is over: stop tracking it and look at the queue (retries may have joined it). */
  unwatch(submissionId: string): void;
}
