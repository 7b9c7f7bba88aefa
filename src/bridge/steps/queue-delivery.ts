import type { Operation } from '@langchain/langgraph';
import type { Outcome } from '../../backends/types.js';
import { addCost, deliveredOutcome, emptyCostTotals } from '../../core/index.js';
import type { BridgeRunContext } from '../bridge-run-context.js';
import type { RequestRecord } from '../store-records.js';

/**
 * Marks a request as answered and puts its outcome in the outbox. The outcome goes to the store first, so that a
 * resume run that fails to be accepted is retried on a later tick instead of being lost.
 */
export async function queueDelivery(context: BridgeRunContext, record: RequestRecord, outcome: Outcome): Promise<void> {
  await context.store.run(deliveryOperations(context, record, outcome));
}

export function deliveryOperations(context: BridgeRunContext, record: RequestRecord, outcome: Outcome): Operation[] {
  const delivery = deliveredOutcome(record, record, outcome, context.now(), context.options);
  // A checkpoint written before costs were has no cost channel yet.
  if (delivery.cost) context.state.cost = addCost(context.state.cost ?? emptyCostTotals(), delivery.cost);
  const { payload: _payload, ...withoutPayload } = record;
  context.state.undelivered += 1;
  return [
    context.store.putRequest({ ...withoutPayload, status: 'delivering', delivery }),
    context.store.putOutbox({
      requestKey: record.requestKey,
      threadId: record.threadId,
      assistantId: record.assistantId,
      interruptId: record.interruptId,
      attempts: 0,
    }),
  ];
}

/**
 * Answers a request still in the queue with a final error (the backend cannot place it, the API refused it, the
 * bridge cannot submit at all): its outcome goes to the outbox and it leaves the queue.
 */
export function failQueuedOperations(context: BridgeRunContext, record: RequestRecord, outcome: Outcome): Operation[] {
  context.state.totals.failed += 1;
  return [...deliveryOperations(context, record, outcome), context.store.deleteQueueEntry(record.requestKey)];
}
