import type { Outcome } from '../backends/types.js';
import { errorMessage } from './errors.js';

/** The longest wait between two submissions of a group the API keeps refusing. */
export const maxSubmitBackoffMs = 15 * 60_000;

export type SubmitFailureDecision =
  /** The API will not take these requests whatever we do (a refused key, no quota, no such model): answer them. */
  | { action: 'fail'; outcome: Extract<Outcome, { type: 'error' }> }
  /** A passing refusal (429, 5xx, a timeout): submit the group again, not before `until`. */
  | { action: 'back_off'; until: number };

interface DescribedError {
  retryable?: unknown;
  status?: unknown;
  code?: unknown;
  retryAfterMs?: unknown;
}

/**
 * What a failed submission (upload or create, after the backend's own quick retries) does to its requests. A final
 * refusal fails them at once with the API's status and message; anything else backs the group off exponentially
 * (`submitBackoffMs` doubled with each failure in a row, at most 15 min, never sooner than Retry-After), so a refused
 * submission never loops. An error that does not say whether it is retryable counts as transient.
 */
export function afterSubmitFailure(
  error: unknown,
  context: { failures: number; now: number; submitBackoffMs: number },
): SubmitFailureDecision {
  const described = (typeof error === 'object' && error !== null ? error : {}) as DescribedError;
  if (described.retryable === false) {
    return {
      action: 'fail',
      outcome: {
        type: 'error',
        statusCode: typeof described.status === 'number' ? described.status : undefined,
        code: typeof described.code === 'string' ? described.code : 'submission_refused',
        message: errorMessage(error),
      },
    };
  }
  const exponential = Math.min(maxSubmitBackoffMs, context.submitBackoffMs * 2 ** context.failures);
  const retryAfter = typeof described.retryAfterMs === 'number' ? described.retryAfterMs : 0;
  return { action: 'back_off', until: context.now + Math.max(exponential, retryAfter) };
}

/** A request the API has refused to take for longer than `maxQueueMs` fails with the last refusal instead of waiting. */
export function queuedTooLong(queuedAt: number, now: number, maxQueueMs: number): boolean {
  return now - queuedAt >= maxQueueMs;
}
