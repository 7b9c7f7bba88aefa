import type { Operation } from '@langchain/langgraph';
import type { BridgeRequestOutcome } from './bridge-backend.js';
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
  let poll;
  try {
    poll = await context.backend.poll({ batchId: batch.batchId, customIds: [...members.keys()] });
  } catch (error) {
    updateBatch(context, batch.batchId, { pollFailures: batch.pollFailures + 1, lastPolledAt: new Date(context.now()).toISOString() });
    recordError(context, `Polling batch ${batch.batchId} failed (it is polled again on the next tick): ${errorMessage(error)}`);
    return;
  }
  updateBatch(context, batch.batchId, {
    status: poll.status,
    requestCounts: poll.requestCounts ?? batch.requestCounts,
    lastPolledAt: new Date(context.now()).toISOString(),
    pollFailures: 0,
  });
  if (!poll.terminal) return;

  const outcomes = new Map<string, BridgeRequestOutcome>((poll.outcomes ?? []).map((outcome) => [outcome.customId, outcome]));
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
      if (notBefore !== undefined) context.state.backoffUntil = Math.max(context.state.backoffUntil ?? 0, notBefore);
      continue;
    }
    totals.failed += 1;
    const { customId: _customId, retryable, ...finalOutcome } = outcome;
    const attempts = record.attempt > 1 || retryable ? ` after ${record.attempt} attempt(s)` : '';
    operations.push(...deliveryOperations(context, record, { ...finalOutcome, message: `${finalOutcome.message}${attempts}` }));
  }
  await context.store.run(operations);
  context.state.batches = context.state.batches.filter((inFlight) => inFlight.batchId !== batch.batchId);
}

function updateBatch(context: BridgeRunContext, batchId: string, changes: Partial<InFlightBatch>): void {
  context.state.batches = context.state.batches.map((batch) => (batch.batchId === batchId ? { ...batch, ...changes } : batch));
}
