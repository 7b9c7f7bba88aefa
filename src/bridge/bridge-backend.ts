import type { BridgeOutcome } from './bridge-events.js';

/**
 * What the bridge needs from a batch API. `payload` is whatever the waiting node submitted; the backend gives it
 * meaning. `src/backends` implements this for OpenAI; `createBridge({ submit, poll })` adapts two plain functions.
 */
export interface BridgeRequest<Payload = unknown> {
  customId: string;
  payload: Payload;
}

export interface BridgeBatchGroup<Payload = unknown> {
  requests: Array<BridgeRequest<Payload>>;
  /** A short description for the bridge state, e.g. `/v1/chat/completions gpt-4o-mini`. */
  label: string;
}

export type BridgeRequestOutcome = BridgeOutcome & {
  customId: string;
  /** Submitting the same request again may succeed (expiry, system cancellation, 429, 5xx, token limits). */
  retryable?: boolean;
};

export interface BridgeBatchPoll {
  status: string;
  terminal: boolean;
  requestCounts?: { total: number; completed: number; failed: number };
  /** Present when terminal: one outcome per submitted custom id (missing ones count as retryable). */
  outcomes?: BridgeRequestOutcome[];
}

export interface BridgeBackend<Payload = unknown> {
  /** Splits ready requests into batches the API accepts. Throwing here rejects only the requests named in the error. */
  plan(requests: Array<BridgeRequest<Payload>>): Array<BridgeBatchGroup<Payload>>;
  submit(group: BridgeBatchGroup<Payload>, options: { metadata: Record<string, string> }): Promise<{ batchId: string }>;
  poll(batch: { batchId: string; customIds: string[] }): Promise<BridgeBatchPoll>;
  cancel?(batchId: string): Promise<void>;
}
