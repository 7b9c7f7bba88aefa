import type { Outcome, RequestOutcome } from '../backends/types.js';

/** What a terminal batch does to one of its requests. */
export type Settlement =
  | { action: 'deliver'; outcome: Outcome }
  /** Submitted again as a new line, not before `notBefore` (a backoff after token_limit_exceeded), or at once. */
  | { action: 'retry'; attempt: number; notBefore: number | null };

export interface SettleContext {
  batchId: string;
  /** The batch's final status, for the message of a request it left without a result. */
  batchStatus: string;
  /** A person asked to cancel this batch: its unfinished requests are answered with `cancelled`, never resubmitted. */
  cancelRequested: boolean;
  maxAttempts: number;
  backoffMs: number;
  now: number;
}

/**
 * The one decision on a request of a terminal batch: deliver its result, deliver a final error, or submit it again.
 * Retryable failures (expiry, cancellation by the system, 429/5xx lines, token limits, unreadable results) go again
 * until `maxAttempts`; after `token_limit_exceeded` the next attempt waits `backoffMs`, doubled with each attempt.
 */
export function settleOutcome(
  outcome: RequestOutcome | undefined,
  request: { attempt: number },
  context: SettleContext,
): Settlement {
  if (outcome?.type === 'success') {
    return { action: 'deliver', outcome: { type: 'success', statusCode: outcome.statusCode, body: outcome.body } };
  }
  // Cancelling is a person's decision, whoever made it (this bridge, the dashboard, another script): a cancelled
  // batch is never submitted again.
  if (context.cancelRequested || outcome?.code === 'batch_cancelled') {
    const by = context.cancelRequested ? 'on request' : 'outside batch-bridge (the dashboard or another client)';
    return {
      action: 'deliver',
      outcome: {
        type: 'error',
        code: 'cancelled',
        message: `The batch ${context.batchId} was cancelled ${by} before this request was done.`,
      },
    };
  }
  const failure: Extract<Outcome, { type: 'error' }> = outcome ?? {
    type: 'error',
    code: 'missing_result',
    message: `Batch ${context.batchId} ended (${context.batchStatus}) without a result for this request.`,
    retryable: true,
  };
  if (failure.retryable && request.attempt < context.maxAttempts) {
    const notBefore =
      failure.code === 'token_limit_exceeded' ? context.now + context.backoffMs * 2 ** (request.attempt - 1) : null;
    return { action: 'retry', attempt: request.attempt + 1, notBefore };
  }
  const { statusCode, body, code, message } = failure;
  return { action: 'deliver', outcome: { type: 'error', statusCode, body, code, message } };
}

/**
 * The batch size for a label after one of its batches ended: halved when it went over the token limit, lifted once a
 * batch of that label succeeds in part, unchanged otherwise (undefined: no cut).
 */
export function nextBatchSizeLimit(
  current: number | undefined,
  batchRequestCount: number,
  outcomes: readonly RequestOutcome[],
): number | undefined {
  if (outcomes.some((outcome) => outcome.type === 'error' && outcome.code === 'token_limit_exceeded')) {
    return Math.max(1, Math.floor(batchRequestCount / 2));
  }
  if (outcomes.some((outcome) => outcome.type === 'success')) return undefined;
  return current;
}
