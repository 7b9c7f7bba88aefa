import { randomUUID } from 'node:crypto';
import type { BatchGroup } from '../../backends/types.js';
import { submissionMayExist, submissionMetadataKey } from '../../backends/types.js';
import { errorMessage } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { InFlightBatch } from '../bridge-state.js';
import { queueEntryOf, type RequestRecord } from '../bridge-store.js';

/**
 * Submits one planned batch so that a process dying at any point leaves the store able to tell what happened. The
 * store has no transactions (PostgresStore runs a batch of writes one by one), so the writes go in an order where each
 * step is safe to find half-done:
 *   1. the batch record, without a batch id, under a fresh submission tag;
 *   2. one member per line (request and line number);
 *   3. the requests, marked submitted under that tag (so no later flush takes them);
 *   4. the API call, carrying the tag in the batch's metadata;
 *   5. the batch id in the batch record;
 *   6. the queue entries go.
 * A record left without a batch id (death between 1 and 5) is resolved by the next run (recover-submissions.ts):
 * the API is asked for a batch with that tag; found, it is adopted; not found, its requests are queued again.
 * Returns false when the API refused the batch (its requests stay queued and the flush stops for this run).
 */
export async function submitBatch(
  context: BridgeRunContext,
  group: BatchGroup,
  items: Array<{ customId: string; record: RequestRecord }>,
): Promise<boolean> {
  const { store, state } = context;
  const submissionTag = randomUUID();
  const createdAt = context.now();
  const pending: InFlightBatch = {
    submissionTag,
    batchId: null,
    label: group.label,
    status: 'submitting',
    requestCount: items.length,
    requestCounts: null,
    submittedAt: new Date(createdAt).toISOString(),
    lastPolledAt: null,
    pollFailures: 0,
    cancelRequested: false,
  };
  await store.run([store.putBatch(pending)]);
  await store.run(
    items.map(({ customId, record }, index) =>
      store.putBatchMember(submissionTag, customId, { requestKey: record.requestKey, line: index + 1 }),
    ),
  );
  await store.run(
    items.map(({ customId, record }) =>
      store.putRequest({ ...record, status: 'submitted', customId, submissionTag, batchId: null, submittedAt: null }),
    ),
  );

  let batchId: string;
  try {
    const metadata = { batch_bridge: context.bridge, [submissionMetadataKey]: submissionTag };
    ({ batchId } = await context.backend.submit(group, { metadata }));
  } catch (error) {
    if (submissionMayExist(error)) {
      // The batch may exist: the next run asks the API by tag rather than submitting these requests a second time.
      state.batches = [...state.batches, pending];
      recordError(
        context,
        `Submitting a batch of ${items.length} (${group.label}) got no clear answer; the next run looks for it by its tag ${submissionTag}: ${errorMessage(error)}`,
      );
    } else {
      await revertSubmission(context, pending, items);
      recordError(
        context,
        `Submitting a batch of ${items.length} (${group.label}) failed; it stays queued: ${errorMessage(error)}`,
      );
    }
    return false;
  }
  const submittedAt = context.now();
  const batch: InFlightBatch = {
    ...pending,
    batchId,
    status: 'submitted',
    submittedAt: new Date(submittedAt).toISOString(),
  };
  await store.run([store.putBatch(batch)]);
  await store.run(items.map(({ record }) => store.deleteQueueEntry(record.requestKey)));
  state.batches = [...state.batches, batch];
  state.totals.submitted += items.length;
  state.totals.batches += 1;
  return true;
}

/** Puts the requests of a submission that never became a batch back in the queue, then forgets the submission. */
export async function revertSubmission(
  context: BridgeRunContext,
  batch: InFlightBatch,
  items: Array<{ customId: string; record: RequestRecord }>,
): Promise<void> {
  const { store } = context;
  await store.run(
    items.flatMap(({ record }) => [
      store.putRequest({ ...record, status: 'queued', customId: null, submissionTag: null, batchId: null }),
      store.putQueueEntry(queueEntryOf(record)),
    ]),
  );
  await store.run([
    ...items.map(({ customId }) => store.deleteBatchMember(batch.submissionTag, customId)),
    store.deleteBatch(batch.submissionTag),
  ]);
}
