import type { Operation } from '@langchain/langgraph';
import type { BatchPoll, RequestOutcome } from '../../backends/types.js';
import {
  afterPollFailure,
  errorMessage,
  nextBatchSizeLimit,
  settleOutcome,
  unavailableOutcomes,
} from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { InFlightBatch } from '../bridge-state.js';
import { queueEntryOf } from '../store-records.js';
import { deliveryOperations } from './queue-delivery.js';

/** Polls the batches in flight that are due and turns every terminal batch into outcomes or resubmissions. */
export async function pollBatches(context: BridgeRunContext, options: { force?: boolean } = {}): Promise<void> {
  const now = context.now();
  const due = context.state.batches.filter((batch) => {
    // A submission without a batch id is recover-submissions.ts's to resolve.
    if (batch.batchId === null) return false;
    // An adopted batch waits for its requests to be handed over again before its results are settled (settle-strays.ts).
    if ((batch.adoptingUntil ?? 0) > now) return false;
    if (options.force) return true;
    const last = Date.parse(batch.lastPolledAt ?? batch.submittedAt);
    return now - last >= context.options.pollIntervalMs - 250;
  });
  for (const batch of due) {
    await pollBatch(context, batch as InFlightBatch & { batchId: string });
  }
}

async function pollBatch(context: BridgeRunContext, batch: InFlightBatch & { batchId: string }): Promise<void> {
  const members = await context.store.listBatchMembers(batch.submissionTag, batch.requestCount);
  // In input-file order: a failed validation names lines, and line N is the N-th custom id here.
  const customIds = [...members.keys()];
  let poll: BatchPoll;
  try {
    poll = await context.backend.poll({ batchId: batch.batchId, customIds });
  } catch (error) {
    const pollFailures = batch.pollFailures + 1;
    if (afterPollFailure(pollFailures, context.options.maxPollFailures) === 'poll_again') {
      await updateBatch(context, batch, { pollFailures, lastPolledAt: new Date(context.now()).toISOString() });
      recordError(
        context,
        `Polling batch ${batch.batchId} failed ${pollFailures} time(s); it is polled again on the next tick: ${errorMessage(error)}`,
      );
      return;
    }
    recordError(
      context,
      `Gave up on batch ${batch.batchId} after ${pollFailures} failed polls; its requests are resubmitted: ${errorMessage(error)}`,
    );
    poll = {
      status: 'unavailable',
      terminal: true,
      outcomes: unavailableOutcomes(batch.batchId, customIds, error),
    };
  }
  if (!poll.terminal) {
    await updateBatch(context, batch, {
      status: poll.status,
      requestCounts: poll.requestCounts ?? batch.requestCounts,
      lastPolledAt: new Date(context.now()).toISOString(),
      pollFailures: 0,
    });
    return;
  }
  await settleBatch(context, batch, poll, members);
}

async function settleBatch(
  context: BridgeRunContext,
  batch: InFlightBatch & { batchId: string },
  poll: BatchPoll,
  members: Map<string, { requestKey: string }>,
): Promise<void> {
  const outcomes = new Map<string, RequestOutcome>((poll.outcomes ?? []).map((outcome) => [outcome.customId, outcome]));
  const limits = { ...context.state.batchSizeLimits };
  const limit = nextBatchSizeLimit(limits[batch.label], batch.requestCount, [...outcomes.values()]);
  if (limit === undefined) delete limits[batch.label];
  else limits[batch.label] = limit;
  context.state.batchSizeLimits = limits;

  let waitingOutTokenLimit = 0;
  const records = await context.store.getRequests([...members.values()].map((member) => member.requestKey));
  const operations: Operation[] = [];
  const { state } = context;
  const settleContext = {
    batchId: batch.batchId,
    batchStatus: poll.status,
    cancelRequested: batch.cancelRequested,
    maxAttempts: context.options.maxAttempts,
    backoffMs: context.options.backoffMs,
    now: context.now(),
  };
  for (const [customId, member] of members) {
    operations.push(context.store.deleteBatchMember(batch.submissionTag, customId));
    const record = records.get(member.requestKey);
    // Answered already (cancelled by the user) or moved on to another attempt: this line's result is not wanted.
    if (!record || record.status !== 'submitted' || record.customId !== customId) continue;
    const settlement = settleOutcome(outcomes.get(customId), record, settleContext);
    if (settlement.action === 'retry') {
      state.totals.retried += 1;
      const notBefore = settlement.notBefore ?? undefined;
      operations.push(
        context.store.putRequest({
          ...record,
          status: 'queued',
          attempt: settlement.attempt,
          batchId: null,
          customId: null,
          submissionTag: null,
          submittedAt: null,
        }),
        context.store.putQueueEntry(queueEntryOf(record, notBefore)),
      );
      state.queued += 1;
      state.queuedBytes += record.bytes;
      state.oldestQueuedAt = Math.min(state.oldestQueuedAt ?? record.queuedAt, record.queuedAt);
      if (notBefore !== undefined) {
        state.backoffUntil = Math.max(state.backoffUntil ?? 0, notBefore);
        waitingOutTokenLimit += 1;
      }
      continue;
    }
    const { outcome } = settlement;
    if (outcome.type === 'success') state.totals.succeeded += 1;
    else if (outcome.code === 'cancelled') state.totals.cancelled += 1;
    else state.totals.failed += 1;
    const answered = { ...record, batchId: batch.batchId, submittedAt: Date.parse(batch.submittedAt) };
    operations.push(...deliveryOperations(context, answered, outcome));
  }
  if (waitingOutTokenLimit > 0) {
    recordError(
      context,
      `Batch ${batch.batchId} (${batch.label}) went over the enqueued-token limit: ${waitingOutTokenLimit} request(s) wait until ` +
        `${new Date(state.backoffUntil!).toISOString()} and go again in batches of at most ${state.batchSizeLimits[batch.label]}.`,
    );
  }
  // The batch record goes last: a run that dies before it leaves the batch to be settled again, which finds every
  // request already settled (no longer submitted under this custom id) and changes nothing.
  await context.store.run(operations);
  // Remembered for reconciliation: a batch the store no longer holds because it was settled is not a stray.
  await context.store.run([context.store.putSettled(batch.batchId, context.now())]);
  await context.store.run([context.store.deleteBatch(batch.submissionTag)]);
  state.batches = state.batches.filter((inFlight) => inFlight.submissionTag !== batch.submissionTag);
}

async function updateBatch(
  context: BridgeRunContext,
  batch: InFlightBatch,
  changes: Partial<InFlightBatch>,
): Promise<void> {
  const updated = { ...batch, ...changes };
  await context.store.run([context.store.putBatch(updated)]);
  context.state.batches = context.state.batches.map((inFlight) =>
    inFlight.submissionTag === batch.submissionTag ? updated : inFlight,
  );
}
