import { z } from 'zod';
import { priceOverridesSchema } from '../pricing/index.js';
import { flushPolicySchema, type QueueSnapshot } from './flush-policy.js';

/**
 * The options both modes read, with the bridge's defaults; the local mode changes only the defaults where a script
 * differs from a server (see local-options.ts).
 */
export const engineOptionsSchema = flushPolicySchema.extend({
  /** How often batches in flight are polled. */
  pollIntervalMs: z.number().int().positive().default(60_000),
  /** Attempts per request: a retryable failure (expiry, 429, 5xx, token limits) is resubmitted until this many. */
  maxAttempts: z.number().int().positive().default(3),
  /** First backoff after token_limit_exceeded; doubles with each attempt. */
  backoffMs: z.number().int().nonnegative().default(60_000),
  /** Failed polls of one batch in a row (API errors, a missing output file) before its requests are resubmitted. */
  maxPollFailures: z.number().int().positive().default(10),
  /** First wait after a submission the API refused for a passing reason (429, 5xx); doubles, at most 15 min. */
  submitBackoffMs: z.number().int().nonnegative().default(5_000),
  /** A request the API keeps refusing to take fails with the last refusal once it has waited this long. */
  maxQueueMs: z
    .number()
    .int()
    .positive()
    .default(60 * 60_000),
  /** A single request body larger than this is answered with an error instead of queued. */
  maxRequestBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /**
   * Prices by model id (US dollars per million tokens) that take precedence over the price catalog, for the cost each
   * answer reports: `{ 'ft:gpt-4o-mini:acme::x1': { input: 0.3, cachedInput: 0.15, output: 1.2 } }`.
   */
  prices: priceOverridesSchema.optional(),
  /** Overrides the size and age rules of the flush policy: return true to submit what is queued now. */
  shouldSubmit: z
    .custom<(queue: QueueSnapshot) => boolean>((value) => value === undefined || typeof value === 'function')
    .optional(),
});

export type EngineOptions = z.infer<typeof engineOptionsSchema>;
