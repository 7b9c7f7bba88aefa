import { z } from 'zod';

/**
 * What a waiting node sends to the bridge: who is waiting (thread, assistant, interrupt) and what to submit.
 * `payload` is opaque to the bridge; the backend interprets it (for OpenAI: `{ url, body }`).
 */
export const submittedRequestSchema = z.object({
  interruptId: z.string().regex(/^[0-9a-f]{32}$/, 'interruptId must be the 32-hex-character id of a LangGraph interrupt'),
  threadId: z.string().uuid('threadId must be the UUID of the waiting thread'),
  assistantId: z.string().min(1, 'assistantId must name the graph or assistant that resumes the thread'),
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'digest must be the sha256 hex digest of the payload'),
  payload: z.unknown().refine((value) => value !== undefined && value !== null, 'payload is required'),
  /** Milliseconds since the epoch at which the node asked. */
  queuedAt: z.number().int().nonnegative().optional(),
});
export type SubmittedRequest = z.infer<typeof submittedRequestSchema>;

export const bridgeEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('submit'), requests: z.array(z.unknown()).min(1, 'a submit event needs requests') }),
  /** Takes in the requests waiting in the inbox; created by waiting nodes on the bridge's own server (bridge-submitter.ts). */
  z.object({ type: z.literal('inbox') }),
  /** `at` is the time the tick was scheduled for; a tick without it (a watchdog cron, a person) is welcome too. */
  z.object({ type: z.literal('tick'), at: z.number().optional() }),
  z.object({
    type: z.literal('cancel'),
    /** Request keys (see requestKeyOf) or `{ threadId, interruptId }` pairs to cancel. */
    requests: z
      .array(
        z.object({
          threadId: z.string(),
          interruptId: z.string(),
          /** With these, a request that has not reached the bridge yet is cancelled too (its later arrival is skipped). */
          digest: z.string().optional(),
          assistantId: z.string().optional(),
        }),
      )
      .optional(),
    batchIds: z.array(z.string()).optional(),
    reason: z.string().max(500).optional(),
  }),
]);
export type BridgeEvent = z.infer<typeof bridgeEventSchema>;

/** The final word on one request, as the backend gave it. */
export type BridgeOutcome =
  | { type: 'success'; statusCode: number; body: unknown }
  | { type: 'error'; statusCode?: number; body?: unknown; code: string; message: string };

/** The value a waiting interrupt is resumed with. */
export interface DeliveredOutcome {
  kind: 'batch-bridge/outcome';
  digest: string;
  requestKey: string;
  batchId: string | null;
  customId: string | null;
  /** Attempts made (a request resubmitted after an expiry has 2). */
  attempts: number;
  queuedAt: number;
  submittedAt: number | null;
  completedAt: number;
  outcome: BridgeOutcome;
}

/** The value a node interrupts with: small, with no body and nothing secret, readable in LangGraph Studio. */
export interface WaitingDescriptor {
  kind: 'batch-bridge/request';
  bridge: string;
  digest: string;
  /** A short human description, e.g. `POST /v1/chat/completions gpt-4o-mini`. */
  description?: string;
}

export function isDeliveredOutcome(value: unknown): value is DeliveredOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as DeliveredOutcome).kind === 'batch-bridge/outcome' &&
    typeof (value as DeliveredOutcome).digest === 'string'
  );
}
