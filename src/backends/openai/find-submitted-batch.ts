import type OpenAI from 'openai';
import { submissionMetadataKey } from '../types.js';
import { BatchApiError } from './errors.js';

/** Batches created this long before the submission was recorded cannot be it (clock skew allowed for). */
const clockSkewMs = 10 * 60_000;
/** Enough to cover a busy account's last hours; the list is newest first. */
const maxBatchesScanned = 2_000;

/**
 * A process killed between creating a batch and recording its id leaves a submission without a batch id. Whether
 * the batch exists is told by the API: the newest batches are searched for the submission tag in their metadata.
 * Returns the batch id, or null when no such batch was created (the requests may then be submitted again).
 */
export async function findSubmittedBatch(client: OpenAI, submissionTag: string, since: number): Promise<string | null> {
  const oldest = (since - clockSkewMs) / 1000;
  let scanned = 0;
  for await (const batch of client.batches.list({ limit: 100 }, { maxRetries: 3 })) {
    if (batch.metadata?.[submissionMetadataKey] === submissionTag) return batch.id;
    if (batch.created_at < oldest) return null;
    scanned += 1;
    if (scanned >= maxBatchesScanned) {
      // Guessing "not created" here could submit every request twice; stopping is the cheaper mistake.
      throw new BatchApiError({
        operation: 'listBatches',
        status: undefined,
        retryable: false,
        attempts: 1,
        message:
          `A batch of an earlier run (submission ${submissionTag}) may or may not have been created, and the newest ` +
          `${maxBatchesScanned} batches do not tell. Check the dashboard, then clear the store (clearBatchCache) to submit again.`,
      });
    }
  }
  return null;
}
