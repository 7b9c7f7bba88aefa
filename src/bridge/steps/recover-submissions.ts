import { errorMessage } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { InFlightBatch } from '../bridge-state.js';
import { recountQueue } from './flush-queue.js';
import { revertSubmission } from './submit-batch.js';

/**
 * Resolves submissions an earlier run left without a batch id: it died between asking the API for the batch and
 * recording the answer, or the API gave no clear answer. The API is asked for a batch carrying the submission's tag:
 * one found is adopted (polled and delivered as if nothing had happened); none means it was never created, and its
 * requests are queued again. Either way each request is submitted once. A failed look-up is tried on the next run,
 * and meanwhile no flush takes these requests (they are marked submitted).
 */
export async function recoverSubmissions(context: BridgeRunContext): Promise<void> {
  for (const batch of context.state.batches.filter((inFlight) => inFlight.batchId === null)) {
    try {
      await recoverSubmission(context, batch);
    } catch (error) {
      recordError(
        context,
        `Looking for the batch of submission ${batch.submissionTag} failed; tried again on the next run: ${errorMessage(error)}`,
      );
    }
  }
}

async function recoverSubmission(context: BridgeRunContext, batch: InFlightBatch): Promise<void> {
  const { store, state, backend } = context;
  const createdAt = Date.parse(batch.submittedAt);
  // A backend that cannot look batches up by tag: taking the batch for never created is the only way forward.
  const batchId = backend.findSubmitted ? await backend.findSubmitted(batch.submissionTag, createdAt) : null;
  const members = await store.listBatchMembers(batch.submissionTag, batch.requestCount);
  const records = await store.getRequests([...members.values()].map((member) => member.requestKey));
  const items = [...members].flatMap(([customId, member]) => {
    const record = records.get(member.requestKey);
    return record?.status === 'submitted' && record.submissionTag === batch.submissionTag ? [{ customId, record }] : [];
  });
  if (batchId === null) {
    await revertSubmission(context, batch, items);
    state.batches = state.batches.filter((inFlight) => inFlight.submissionTag !== batch.submissionTag);
    // The queue summary in this run's state is from before the run that died: the store says what is queued now.
    await recountQueue(context);
    recordError(
      context,
      `Submission ${batch.submissionTag} (${batch.label}) never became a batch; its ${items.length} request(s) are queued again.`,
    );
    return;
  }
  const adopted: InFlightBatch = { ...batch, batchId, status: 'submitted' };
  await store.run([store.putBatch(adopted)]);
  await store.run(items.map(({ record }) => store.deleteQueueEntry(record.requestKey)));
  state.batches = state.batches.map((inFlight) =>
    inFlight.submissionTag === batch.submissionTag ? adopted : inFlight,
  );
  state.totals.submitted += items.length;
  state.totals.batches += 1;
  recordError(
    context,
    `Found batch ${batchId} of submission ${batch.submissionTag}, which a run stopped before recording; it is polled as usual.`,
  );
}
