import { z } from 'zod';

/**
 * What a waiting node hands over to the bridge: who is waiting (thread, assistant, interrupt) and what to submit.
 * `payload` is opaque to the bridge; the backend interprets it (for OpenAI: `{ url, body }`).
 */
export const handOverSchema = z.object({
  interruptId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, 'interruptId must be the 32-hex-character id of a LangGraph interrupt'),
  threadId: z.string().uuid('threadId must be the UUID of the waiting thread'),
  assistantId: z.string().min(1, 'assistantId must name the graph or assistant that resumes the thread'),
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'digest must be the sha256 hex digest of the payload'),
  payload: z.unknown().refine((value) => value !== undefined && value !== null, 'payload is required'),
  /** Milliseconds since the epoch at which the node asked. */
  queuedAt: z.number().int().nonnegative().optional(),
});
export type HandOver = z.infer<typeof handOverSchema>;

const handOverEvent = z.object({
  type: z.literal('hand_over'),
  requests: z.array(z.unknown()).min(1, 'a hand_over event needs requests'),
});

export const bridgeEventSchema = z.discriminatedUnion('type', [
  /** Requests handed over in the run itself (a node whose bridge is on another LangGraph API). */
  handOverEvent,
  /** The name of `hand_over` in batch-bridge 0.1: runs already queued on a server keep working after an upgrade. */
  handOverEvent.extend({ type: z.literal('submit') }),
  /** Takes in the requests waiting in the inbox; created by waiting nodes on the bridge's own server (agent/hand-over.ts). */
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

/** The value a node interrupts with: small, with no body and nothing secret, readable in LangGraph Studio. */
export interface WaitingDescriptor {
  kind: 'batch-bridge/request';
  bridge: string;
  digest: string;
  /** A short human description, e.g. `POST /v1/chat/completions gpt-4o-mini`. */
  description?: string;
}
