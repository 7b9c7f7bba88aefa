import type { DeliveredOutcome } from '../core/index.js';

/**
 * What the in-process batcher remembers across runs, per scope (the API a batch lives at) and request digest.
 * Rows exist only for requests that reached the API: a request still queued when the process died was never sent,
 * and the next run queues it again.
 */
export type StoredRequest =
  | { status: 'in_flight'; digest: string; attempt: number; queuedAt: number; submissionId: string; customId: string }
  /** A retryable failure whose next attempt was not yet submitted: a rerun continues the attempt count. */
  | { status: 'retry'; digest: string; attempt: number; queuedAt: number }
  | { status: 'answered'; digest: string; delivered: DeliveredOutcome };

/**
 * One submission: recorded before the upload, so that a process killed between creating the batch and noting its id
 * can still find it (by the `batch_bridge_submission` metadata it carries) instead of submitting again.
 */
export interface StoredSubmission {
  submissionId: string;
  scope: string;
  /** null while the batch is being created (or if the process died meanwhile). */
  batchId: string | null;
  label: string;
  createdAt: number;
  submittedAt: number | null;
}

export interface SubmissionMember {
  digest: string;
  customId: string;
  attempt: number;
  queuedAt: number;
}

/** What a terminal batch did to one of its requests. */
export type StoredSettlement =
  | { digest: string; kind: 'answered'; delivered: DeliveredOutcome }
  | { digest: string; kind: 'retry'; attempt: number; queuedAt: number }
  /** A final error: not kept, so that the next run asks again. */
  | { digest: string; kind: 'forget' };

export interface BatchStore {
  /** The SQLite file, or null when nothing is stored (`cache: false`). */
  readonly file: string | null;
  /** The SQLite driver the store runs on (node:sqlite or better-sqlite3), or null without a store. */
  readonly driver: string | null;
  /**
   * Submissions this process is making right now. Another batcher of the same process that meets one of them waits
   * for it, instead of taking it for the leftover of a dead process.
   */
  readonly submitting: Map<string, Promise<void>>;
  lookup(scope: string, digest: string): StoredRequest | undefined;
  recordSubmission(submission: Omit<StoredSubmission, 'batchId' | 'submittedAt'>, members: SubmissionMember[]): void;
  markSubmitted(submissionId: string, batchId: string, submittedAt: number): void;
  /** The submission never became a batch (or the batch is gone): its requests are free to be queued again. */
  forgetSubmission(submissionId: string): void;
  submission(submissionId: string): StoredSubmission | undefined;
  members(submissionId: string): SubmissionMember[];
  /** Applies a terminal batch's outcomes and forgets the submission, in one transaction. */
  settle(submissionId: string, settlements: StoredSettlement[]): void;
}

/** The store of `cache: false`: remembers nothing, so every run starts from scratch. */
export function createNullBatchStore(): BatchStore {
  return {
    file: null,
    driver: null,
    submitting: new Map(),
    lookup: () => undefined,
    recordSubmission: () => {},
    markSubmitted: () => {},
    forgetSubmission: () => {},
    submission: () => undefined,
    members: () => [],
    settle: () => {},
  };
}
