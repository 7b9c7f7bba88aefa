import { z } from 'zod';
import { flushPolicySchema, type FlushPolicy } from './flush-policy.js';

export const bridgeRunOptionsSchema = flushPolicySchema.extend({
  /** How often batches in flight are polled. */
  pollIntervalMs: z.number().int().positive().default(60_000),
  /** Attempts per request: a retryable failure (expiry, 429, 5xx, token limits) is resubmitted until this many. */
  maxAttempts: z.number().int().positive().default(3),
  /** First backoff after token_limit_exceeded; doubles with each attempt. */
  backoffMs: z.number().int().nonnegative().default(60_000),
  /** Failed polls of one batch in a row (API errors, a missing output file) before its requests are resubmitted. */
  maxPollFailures: z.number().int().positive().default(10),
  /** A single request body larger than this is rejected with an error instead of queued. */
  maxRequestBytes: z.number().int().positive().default(20 * 1024 * 1024),
  /** Resume runs created at once when delivering outcomes. */
  deliveryConcurrency: z.number().int().positive().default(16),
  /** Where the bridge reaches the LangGraph API for ticks and resumes; the server itself when absent. */
  apiUrl: z.string().url().optional(),
});

export type BridgeRunOptions = z.infer<typeof bridgeRunOptionsSchema> & Pick<FlushPolicy, 'shouldSubmit'>;
