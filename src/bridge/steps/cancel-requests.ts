import type { Operation } from '@langchain/langgraph';
import { errorMessage, requestKeyOf } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import { deliveryOperations } from './queue-delivery.js';
import { judgeHandOver, readWaitingThreads } from './verify-hand-overs.js';

export interface CancelRequest {
  requests?: Array<{ threadId: string; interruptId: string; digest?: string; assistantId?: string }>;
  batchIds?: string[];
  reason?: string;
}

/**
 * Cancels waiting requests and whole batches. A cancelled request's thread is resumed with a `cancelled` error at
 * once; a line already submitted may still run at the API (and be billed), but its result is dropped. A cancelled
 * batch is cancelled at the API; its lines that finished anyway are still delivered.
 */
export async function cancelRequests(context: BridgeRunContext, cancel: CancelRequest): Promise<void> {
  const reason = cancel.reason ? `: ${cancel.reason}` : '';
  const keys = (cancel.requests ?? []).map(({ threadId, interruptId }) => requestKeyOf(threadId, interruptId));
  const records = await context.store.getRequests(keys);
  const operations: Operation[] = [];
  // A request the bridge has no record of yet (its node is still handing it over) is answered now; the record left
  // behind makes its later arrival a duplicate. Only when its thread shows that interrupt waiting for this bridge with
  // that digest: anyone who may run the bridge could otherwise put a `cancelled` error into any thread.
  const unknown = (cancel.requests ?? []).filter((request, index) => !records.has(keys[index]) && request.digest);
  const readings = await readWaitingThreads(context, [...new Set(unknown.map((request) => request.threadId))]);
  (cancel.requests ?? []).forEach(({ threadId, interruptId, digest, assistantId }, index) => {
    if (records.has(keys[index]) || !digest || !assistantId) return;
    const judged = judgeHandOver(context, readings.get(threadId), { interruptId, digest });
    if (judged.verdict !== 'ok') {
      recordError(context, `Cannot cancel thread ${threadId} interrupt ${interruptId}: ${judged.reason}.`);
      return;
    }
    records.set(keys[index], {
      requestKey: keys[index],
      threadId,
      assistantId,
      interruptId,
      digest,
      bytes: 0,
      queuedAt: context.now(),
      attempt: 0,
      status: 'submitted',
      batchId: null,
      customId: null,
      submittedAt: null,
    });
  });
  for (const record of records.values()) {
    if (record.status !== 'queued' && record.status !== 'submitted') continue;
    if (record.status === 'queued') {
      operations.push(context.store.deleteQueueEntry(record.requestKey));
      context.state.queued = Math.max(0, context.state.queued - 1);
      context.state.queuedBytes = Math.max(0, context.state.queuedBytes - record.bytes);
    }
    context.state.totals.cancelled += 1;
    operations.push(
      ...deliveryOperations(context, record, {
        type: 'error',
        code: 'cancelled',
        message: `The request was cancelled${reason}.`,
      }),
    );
  }
  await context.store.run(operations);

  for (const batchId of cancel.batchIds ?? []) {
    const batch = context.state.batches.find((inFlight) => inFlight.batchId === batchId);
    if (!batch) {
      recordError(context, `Cannot cancel batch ${batchId}: the bridge has no such batch in flight.`);
      continue;
    }
    try {
      await context.backend.cancel?.(batchId);
      const cancelled = { ...batch, cancelRequested: true };
      await context.store.run([context.store.putBatch(cancelled)]);
      context.state.batches = context.state.batches.map((inFlight) =>
        inFlight.submissionTag === batch.submissionTag ? cancelled : inFlight,
      );
    } catch (error) {
      recordError(context, `Cancelling batch ${batchId} failed: ${errorMessage(error)}`);
    }
  }
}
