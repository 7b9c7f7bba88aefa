import type { Operation } from '@langchain/langgraph';
import type { BridgeBatchPoll, BridgeRequestOutcome } from './bridge-backend.js';
import { errorMessage, recordError, type BridgeRunContext } from './bridge-run-context.js';
import type { InFlightBatch } from './bridge-state.js';
import { deliveryOperations } from './queue-delivery.js';

/** Polls the batches in flight that are due and turns every terminal batch into outcomes or resubmissions. */
export async function pollBatches(context: BridgeRunContext, options: { force?: boolean } = {}): Promise<void> {
  const now = context.now();
  const due = context.state.batches.filter((batch) => {
    if (options.force) return true;
    const last = Date.parse(batch.lastPolledAt ?? batch.submittedAt);
    return now - last >= context.options.pollIntervalMs - 250;
  });
  for (const batch of due) {
    await pollBatch(context, batch);
  }
}

async function pollBatch(context: BridgeRunContext, batch: InFlightBatch): Promise<void> {
  const members = await context.store.listBatchMembers(batch.batchId, batch.requestCount);
  let poll: BridgeBatchPoll;
  try {
    poll = await context.backend.poll({ batchId: batch.batchId, customIds: [...members.keys()] });
  } catch (error) {
    const pollFailures = batch.pollFailures + 1;
    if (pollFailures < context.options.maxPollFailures) {
      await updateBatch(context, batch, { pollFailures, lastPolledAt: new Date(context.now()).toISOString() });
      recordError(context, `Polling batch ${batch.batchId} failed ${pollFailures} time(s); it is polled again on the next tick: ${errorMessage(error)}`);
      return;
    }
    // Its results cannot be had (an output file that stays missing): the requests are tried again as new lines.
    recordError(context, `Gave up on batch ${batch.batchId} after ${pollFailures} failed polls; its requests are resubmitted: ${errorMessage(error)}`);
    poll = {
      status: 'unavailable',
      terminal: true,
      outcomes: [...members.keys()].map((customId) => ({
        customId,
        type: 'error',
        code: 'results_unavailable',
        message: `The results of batch ${batch.batchId} could not be read: ${errorMessage(error)}`,
        retryable: true,
      })),
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

  const outcomes = new Map<string, BridgeRequestOutcome>((poll.outcomes ?? []).map((outcome) => [outcome.customId, outcome]));
  adjustBatchSizeLimit(context, batch, [...outcomes.values()]);
  let waitingOutTokenLimit = 0;
  const records = await context.store.getRequests([...members.values()].map((member) => member.requestKey));
  const operations: Operation[] = [];
  const { totals } = context.state;
  for (const [customId, member] of members) {
    operations.push(context.store.deleteBatchMember(batch.batchId, customId));
    const record = records.get(member.requestKey);
    // Answered already (cancelled by the user) or moved on to another attempt: this line's result is not wanted.
    if (!record || record.status !== 'submitted' || record.customId !== customId) continue;
    const outcome: BridgeRequestOutcome = outcomes.get(customId) ?? {
      type: 'error',
      customId,
      code: 'missing_result',
      message: `Batch ${batch.batchId} ended (${poll.status}) without a result for this request.`,
      retryable: true,
    };
    if (outcome.type === 'success') {
      totals.succeeded += 1;
      operations.push(...deliveryOperations(context, record, { type: 'success', statusCode: outcome.statusCode, body: outcome.body }));
      continue;
    }
    if (batch.cancelRequested) {
      totals.cancelled += 1;
      operations.push(
        ...deliveryOperations(context, record, {
          type: 'error',
          code: 'cancelled',
          message: `The batch ${batch.batchId} was cancelled on request before this request was done.`,
        }),
      );
      continue;
    }
    if (outcome.retryable && record.attempt < context.options.maxAttempts) {
      totals.retried += 1;
      const notBefore =
        outcome.code === 'token_limit_exceeded' ? context.now() + context.options.backoffMs * 2 ** (record.attempt - 1) : undefined;
      operations.push(
        context.store.putRequest({ ...record, status: 'queued', attempt: record.attempt + 1, batchId: null, customId: null, submittedAt: null }),
        context.store.putQueueEntry({ requestKey: record.requestKey, queuedAt: record.queuedAt, bytes: record.bytes, notBefore }),
      );
      context.state.queued += 1;
      context.state.queuedBytes += record.bytes;
      context.state.oldestQueuedAt = Math.min(context.state.oldestQueuedAt ?? record.queuedAt, record.queuedAt);
      if (notBefore !== undefined) {
        context.state.backoffUntil = Math.max(context.state.backoffUntil ?? 0, notBefore);
        waitingOutTokenLimit += 1;
      }
      continue;
    }
    totals.failed += 1;
    const { customId: _customId, retryable: _retryable, ...finalOutcome } = outcome;
    operations.push(...deliveryOperations(context, record, finalOutcome));
  }
  if (waitingOutTokenLimit > 0) {
    recordError(
      context,
      `Batch ${batch.batchId} (${batch.label}) went over the enqueued-token limit: ${waitingOutTokenLimit} request(s) wait until ` +
        `${new Date(context.state.backoffUntil!).toISOString()} and go again in batches of at most ${context.state.batchSizeLimits[batch.label]}.`,
    );
  }
  operations.push(context.store.deleteBatch(batch.batchId));
  await context.store.run(operations);
  context.state.batches = context.state.batches.filter((inFlight) => inFlight.batchId !== batch.batchId);
}

/** Halves the batch size of a label whose batch went over the token limit; lifts the cut once one of them completes. */
function adjustBatchSizeLimit(context: BridgeRunContext, batch: InFlightBatch, outcomes: BridgeRequestOutcome[]): void {
  const limits = { ...context.state.batchSizeLimits };
  if (outcomes.some((outcome) => outcome.type === 'error' && outcome.code === 'token_limit_exceeded')) {
    limits[batch.label] = Math.max(1, Math.floor(batch.requestCount / 2));
  } else if (outcomes.some((outcome) => outcome.type === 'success')) {
    delete limits[batch.label];
  }
  context.state.batchSizeLimits = limits;
}

async function updateBatch(context: BridgeRunContext, batch: InFlightBatch, changes: Partial<InFlightBatch>): Promise<void> {
  const updated = { ...batch, ...changes };
  await context.store.run([context.store.putBatch(updated)]);
  context.state.batches = context.state.batches.map((inFlight) => (inFlight.batchId === batch.batchId ? updated : inFlight));
}
