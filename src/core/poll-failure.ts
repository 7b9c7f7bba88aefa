import type { RequestOutcome } from '../backends/types.js';
import { errorMessage } from './errors.js';

/**
 * After a failed poll (the API answered an error, an output file cannot be read): poll again later, or, after
 * `maxPollFailures` failures in a row, give up on the batch's results and settle its requests as retryable.
 */
export function afterPollFailure(failures: number, maxPollFailures: number): 'poll_again' | 'give_up' {
  return failures < maxPollFailures ? 'poll_again' : 'give_up';
}

/** The outcomes of a batch whose results cannot be had: every request may be tried again as a new line. */
export function unavailableOutcomes(batchId: string, customIds: string[], error: unknown): RequestOutcome[] {
  return customIds.map((customId) => ({
    customId,
    type: 'error',
    code: 'results_unavailable',
    message: `The results of batch ${batchId} could not be read: ${errorMessage(error)}`,
    retryable: true,
  }));
}
