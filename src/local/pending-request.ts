import type { OpenAIPayload } from '../backends/openai/index.js';
import type { DeliveredOutcome } from '../core/index.js';

export interface LocalDelivery {
  delivered: DeliveredOutcome;
  /** Answered by the store, without any API call. */
  fromCache: boolean;
}

export interface Waiter {
  resolve(delivery: LocalDelivery): void;
  reject(error: unknown): void;
}

/** One request of a batch in flight, as the watcher needs it; it may belong to no call of this run (a reattached batch). */
export interface WatchedRequest {
  /** The digest's first half, or a random key with `cache: false`. */
  requestKey: string;
  digest: string;
  attempt: number;
  queuedAt: number;
}

/** A request of this run that has not been answered yet, with every call waiting for it. */
export interface PendingRequest extends WatchedRequest {
  request: OpenAIPayload;
  bytes: number;
  /** After a token_limit_exceeded: not to be submitted before this time. */
  notBefore: number | null;
  state: 'resolving' | 'queued' | 'submitting' | 'in_flight';
  customId: string | null;
  waiters: Set<Waiter>;
}

export function newPendingRequest(
  requestKey: string,
  measured: { digest: string; bytes: number },
  request: OpenAIPayload,
  now: number,
): PendingRequest {
  return {
    requestKey,
    digest: measured.digest,
    request,
    bytes: measured.bytes,
    attempt: 1,
    queuedAt: now,
    notBefore: null,
    state: 'resolving',
    customId: null,
    waiters: new Set(),
  };
}
