import { randomUUID } from 'node:crypto';
import type { BatchGroup, Outcome } from '../../backends/types.js';
import {
  bridgeMetadataKey,
  deploymentMetadataKey,
  submissionMayExist,
  submissionMetadataKey,
} from '../../backends/types.js';
import { afterSubmitFailure, errorMessage, queuedTooLong } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { InFlightBatch } from '../bridge-state.js';
import { queueEntryOf, type RequestRecord } from '../store-records.js';
import { failQueuedOperations } from './queue-delivery.js';

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
 * A refusal is decided by the core: a final one (a refused key, no quota) answers the requests with the API's error
 * at once; a passing one (429, 5xx) keeps them queued and backs the group off exponentially, so nothing loops.
 * Returns what became of the requests: submitted, answered (with an error), or kept in the queue.
 */
export async function submitBatch(
  context: BridgeRunContext,
  group: BatchGroup,
  items: Array<{ customId: string; record: RequestRecord }>,
): Promise<'submitted' | 'answered' | 'kept'> {
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
    const metadata: Record<string, string> = {
      [bridgeMetadataKey]: context.bridge,
      [submissionMetadataKey]: submissionTag,
      // Makes the batch provably this deployment's, should the store forget it (reconcile-batches.ts).
      ...(context.identity ? { [deploymentMetadataKey]: context.identity.deploymentId } : {}),
    };
    ({ batchId } = await context.backend.submit(group, { metadata }));
  } catch (error) {
    if (submissionMayExist(error)) {
      // The batch may exist: the next run asks the API by tag rather than submitting these requests a second time.
      state.batches = [...state.batches, pending];
      recordError(
        context,
        `Submitting a batch of ${items.length} (${group.label}) got no clear answer; the next run looks for it by its tag ${submissionTag}: ${errorMessage(error)}`,
      );
      return 'kept';
    }
    return refused(context, pending, items, error);
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
  const { [group.label]: _cleared, ...failures } = state.submitFailures;
  state.submitFailures = failures;
  return 'submitted';
}

/** The API refused the batch: answer its requests (a final refusal, or waited too long), or back the group off. */
async function refused(
  context: BridgeRunContext,
  pending: InFlightBatch,
  items: Array<{ customId: string; record: RequestRecord }>,
  error: unknown,
): Promise<'answered' | 'kept'> {
  const { state } = context;
  const now = context.now();
  const failures = state.submitFailures[pending.label] ?? 0;
  const decision = afterSubmitFailure(error, { failures, now, submitBackoffMs: context.options.submitBackoffMs });
  if (decision.action === 'fail') {
    await answerWithError(context, items, decision.outcome);
    await forgetSubmission(context, pending, items);
    recordError(
      context,
      `The API refused a batch of ${items.length} (${pending.label}); its calls fail: ${errorMessage(error)}`,
    );
    return 'answered';
  }
  const waitedTooLong = items.filter(({ record }) => queuedTooLong(record.queuedAt, now, context.options.maxQueueMs));
  const waiting = items.filter((item) => !waitedTooLong.includes(item));
  await requeue(context, waiting, decision.until);
  if (waitedTooLong.length > 0) {
    await answerWithError(context, waitedTooLong, {
      type: 'error',
      code: 'submission_timed_out',
      message: `The API refused to take this request for ${Math.round(context.options.maxQueueMs / 60_000)} min (maxQueueMs): ${errorMessage(error)}`,
    });
  }
  await forgetSubmission(context, pending, items);
  state.submitFailures = { ...state.submitFailures, [pending.label]: failures + 1 };
  recordError(
    context,
    `Submitting a batch of ${items.length} (${pending.label}) failed (${failures + 1} in a row); tried again at ` +
      `${new Date(decision.until).toISOString()}: ${errorMessage(error)}`,
  );
  return waitedTooLong.length === items.length ? 'answered' : 'kept';
}

async function answerWithError(
  context: BridgeRunContext,
  items: Array<{ record: RequestRecord }>,
  outcome: Outcome,
): Promise<void> {
  await context.store.run(items.flatMap(({ record }) => failQueuedOperations(context, record, outcome)));
}

/** Puts the requests of a submission that never became a batch back in the queue, then forgets the submission. */
export async function revertSubmission(
  context: BridgeRunContext,
  batch: InFlightBatch,
  items: Array<{ customId: string; record: RequestRecord }>,
): Promise<void> {
  await requeue(context, items);
  await forgetSubmission(context, batch, items);
}

async function requeue(context: BridgeRunContext, items: Array<{ record: RequestRecord }>, notBefore?: number) {
  const { store } = context;
  await store.run(
    items.flatMap(({ record }) => [
      store.putRequest({ ...record, status: 'queued', customId: null, submissionTag: null, batchId: null }),
      store.putQueueEntry(queueEntryOf(record, notBefore)),
    ]),
  );
}

/** Last: the batch record goes after its lines, so a record without a batch id always has its lines to look at. */
async function forgetSubmission(
  context: BridgeRunContext,
  batch: InFlightBatch,
  items: Array<{ customId: string }>,
): Promise<void> {
  const { store } = context;
  await store.run(items.map(({ customId }) => store.deleteBatchMember(batch.submissionTag, customId)));
  await store.run([store.deleteBatch(batch.submissionTag)]);
}
