import type { BridgeOutcome, DeliveredOutcome } from '../bridge-events.js';

/** The HTTP call the official provider would have made: one batch line. */
export interface LocalRequest {
  url: string;
  body: Record<string, unknown>;
}

export interface LocalDelivery {
  delivered: DeliveredOutcome;
  /** Answered by the store, without any API call. */
  fromCache: boolean;
}

export interface Waiter {
  resolve(delivery: LocalDelivery): void;
  reject(error: unknown): void;
}

/** A request of this run that has not been answered yet, with every call waiting for it. */
export interface PendingRequest {
  /** The bridge's request key: the digest's first half, or a random one with `cache: false`. */
  key: string;
  digest: string;
  request: LocalRequest;
  bytes: number;
  attempt: number;
  queuedAt: number;
  /** After a token_limit_exceeded: not to be submitted before this time. */
  notBefore: number | null;
  state: 'resolving' | 'queued' | 'submitting' | 'in_flight';
  customId: string | null;
  waiters: Set<Waiter>;
}

/** One request of a batch in flight, as the poller needs it; it may belong to no call of this run (a reattached batch). */
export interface BatchMember {
  key: string;
  digest: string;
  attempt: number;
  queuedAt: number;
}

export function newPendingRequest(key: string, digest: string, request: LocalRequest, now: number): PendingRequest {
  return {
    key,
    digest,
    request,
    bytes: Buffer.byteLength(JSON.stringify(request.body)),
    attempt: 1,
    queuedAt: now,
    notBefore: null,
    state: 'resolving',
    customId: null,
    waiters: new Set(),
  };
}

/** The same shape the bridge resumes a thread with, so the provider replays both the same way. */
export function deliveredOutcome(
  member: BatchMember,
  batch: { batchId: string | null; customId: string | null; submittedAt: number | null },
  outcome: BridgeOutcome,
  completedAt: number,
): DeliveredOutcome {
  return {
    kind: 'batch-bridge/outcome',
    digest: member.digest,
    requestKey: member.key,
    batchId: batch.batchId,
    customId: batch.customId,
    attempts: member.attempt,
    queuedAt: member.queuedAt,
    submittedAt: batch.submittedAt,
    completedAt,
    outcome,
  };
}
