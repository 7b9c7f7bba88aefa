// The records the bridge keeps in its store, one item each (see bridge-store.ts for where they live).
import type { DeliveredOutcome } from '../core/index.js';

/** `submitted` from just before its batch is created; the batch record says whether the API has answered yet. */
export type RequestStatus = 'queued' | 'submitted' | 'delivering' | 'delivered';

export interface RequestRecord {
  requestKey: string;
  threadId: string;
  assistantId: string;
  interruptId: string;
  digest: string;
  /** Absent once delivered. */
  payload?: unknown;
  bytes: number;
  queuedAt: number;
  /** Arrival order among requests taken in by one run (see QueueEntry). */
  sequence?: number;
  /** The attempt being made (1 for the first submission). */
  attempt: number;
  status: RequestStatus;
  batchId: string | null;
  customId: string | null;
  /** The submission the request is a line of, while `submitted`. */
  submissionTag?: string | null;
  submittedAt: number | null;
  /** Present while the outcome waits for its resume run to be accepted. */
  delivery?: DeliveredOutcome;
}

export interface QueueEntry {
  requestKey: string;
  queuedAt: number;
  /** Arrival order among requests queued in the same millisecond (their order in the run that took them in). */
  sequence?: number;
  bytes: number;
  /** Not to be submitted before this time (backoff after token_limit_exceeded). */
  notBefore?: number;
}

export interface BatchMember {
  requestKey: string;
  /** 1-based line of the uploaded input file: a failed validation names lines, not custom ids. */
  line: number;
}

export interface OutboxEntry {
  requestKey: string;
  threadId: string;
  assistantId: string;
  interruptId: string;
  /** Resume runs that failed to be created or ended without the thread taking the outcome. */
  attempts: number;
  /** The resume run sent, until the thread is seen to have taken the outcome (confirm-resumes.ts). */
  runId?: string;
  /** Not before this time: the next look at the resume run, or the next attempt after a failed one. */
  nextCheckAt?: number;
}

/** This deployment's identity, created once in the store (batch-metadata `batch_bridge_deployment`). */
export interface DeploymentIdentity {
  deploymentId: string;
  createdAt: number;
  /** Every batch of this bridge created before this time (ms) was known to the store or reconciled. */
  reconciledThrough?: number;
}

/** A batch of this bridge's identity at the API that the store did not know, while its requests may still come. */
export interface StrayBatch {
  batchId: string;
  /** Its submission tag (from its metadata), or its batch id when it has none. */
  submissionTag: string;
  label: string;
  status: string;
  terminal: boolean;
  createdAt: number;
  provablyOurs: boolean;
  /** The custom ids of its lines, in input order. */
  customIds: string[];
  /** Custom ids already adopted into its batch record. */
  adopted: string[];
  firstSeenAt: number;
  /** When it is taken for an orphan if none of its requests is known by then. */
  decideAt: number;
  cancelCommand: string | null;
}

/** A thread asked to hand a lost request over again. */
export interface NudgeRecord {
  at: number;
  count: number;
}

/** The queue entry of a queued request; `notBefore` holds it back after a token limit. */
export function queueEntryOf(record: RequestRecord, notBefore?: number): QueueEntry {
  const { requestKey, queuedAt, sequence, bytes } = record;
  return { requestKey, queuedAt, sequence, bytes, ...(notBefore === undefined ? {} : { notBefore }) };
}
