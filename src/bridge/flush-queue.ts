import type { Operation } from '@langchain/langgraph';
import { customIdOf } from './bridge-identity.js';
import type { BridgeBatchGroup, BridgeRequest } from './bridge-backend.js';
import { errorMessage, recordError, type BridgeRunContext } from './bridge-run-context.js';
import type { InFlightBatch } from './bridge-state.js';
import type { QueueEntry, RequestRecord } from './bridge-store.js';
import { shouldFlush } from './flush-policy.js';
import { deliveryOperations } from './queue-delivery.js';

/**
 * Submits the queue when the flush policy says so: ready requests are grouped by the backend, split at
 * `maxRequests`, and each group becomes one batch. A group the API refuses stays queued for the next tick.
 */
export async function flushQueue(context: BridgeRunContext): Promise<void> {
  const { state, options } = context;
  const now = context.now();
  if (!shouldFlush(options, { count: state.queued, bytes: state.queuedBytes, oldestQueuedAt: state.oldestQueuedAt, now })) {
    return;
  }
  const entries = await context.store.listQueue(state.queued + 1000);
  const ready = entries.filter((entry) => (entry.notBefore ?? 0) <= now);
  if (ready.length === 0) {
    refreshQueueSummary(context, entries, new Set());
    return;
  }
  const records = await context.store.getRequests(ready.map((entry) => entry.requestKey));
  const submitted = new Set<string>();
  const operations: Operation[] = [];

  // An entry whose record is gone or no longer queued (cancelled, answered) only needs removing.
  for (const entry of ready) {
    if (records.get(entry.requestKey)?.status !== 'queued') {
      operations.push(context.store.deleteQueueEntry(entry.requestKey));
      submitted.add(entry.requestKey);
    }
  }
  const requests: Array<BridgeRequest & { record: RequestRecord }> = [];
  for (const entry of ready) {
    const record = records.get(entry.requestKey);
    if (record?.status !== 'queued') continue;
    requests.push({ customId: customIdOf(record.requestKey, record.attempt), payload: record.payload, record });
  }

  const groups = planGroups(context, requests, operations, submitted);
  for (const group of groups) {
    let batchId: string;
    try {
      ({ batchId } = await context.backend.submit(
        { label: group.label, requests: group.requests.map(({ customId, payload }) => ({ customId, payload })) },
        { metadata: { batch_bridge: context.bridge } },
      ));
    } catch (error) {
      recordError(context, `Submitting a batch of ${group.requests.length} (${group.label}) failed; it stays queued: ${errorMessage(error)}`);
      break;
    }
    const submittedAt = context.now();
    const batch: InFlightBatch = {
      batchId,
      label: group.label,
      status: 'submitted',
      requestCount: group.requests.length,
      requestCounts: null,
      submittedAt: new Date(submittedAt).toISOString(),
      lastPolledAt: null,
      pollFailures: 0,
      cancelRequested: false,
    };
    // Written at once, group by group: the batch exists at the API now, and must not be forgotten if this run dies.
    const groupOperations: Operation[] = [context.store.putBatch(batch)];
    for (const { customId, record } of group.requests) {
      groupOperations.push(
        context.store.putRequest({ ...record, status: 'submitted', batchId, customId, submittedAt }),
        context.store.putBatchMember(batchId, customId, { requestKey: record.requestKey }),
        context.store.deleteQueueEntry(record.requestKey),
      );
      submitted.add(record.requestKey);
    }
    await context.store.run(groupOperations);
    state.batches = [...state.batches, batch];
    state.totals.submitted += group.requests.length;
    state.totals.batches += 1;
  }
  await context.store.run(operations);
  refreshQueueSummary(context, entries, submitted);
}

type PlannedRequest = BridgeRequest & { record: RequestRecord };

/**
 * Plans batches; a request the backend cannot place (too large, unknown endpoint) is answered with an error so that
 * one bad request does not hold back the rest.
 */
function planGroups(
  context: BridgeRunContext,
  requests: PlannedRequest[],
  operations: Operation[],
  removed: Set<string>,
): Array<{ label: string; requests: PlannedRequest[] }> {
  let plannable = requests;
  let groups: BridgeBatchGroup[];
  try {
    groups = context.backend.plan(plannable);
  } catch {
    plannable = requests.filter((request) => {
      try {
        context.backend.plan([request]);
        return true;
      } catch (error) {
        operations.push(
          context.store.deleteQueueEntry(request.record.requestKey),
          ...deliveryOperations(context, request.record, { type: 'error', code: 'invalid_request', message: errorMessage(error) }),
        );
        context.state.totals.failed += 1;
        removed.add(request.record.requestKey);
        return false;
      }
    });
    groups = plannable.length > 0 ? context.backend.plan(plannable) : [];
  }
  const byCustomId = new Map(plannable.map((request) => [request.customId, request]));
  return groups.flatMap((group) => {
    // After token_limit_exceeded a smaller batch may fit under the enqueued-token limit.
    const maxRequests = Math.min(context.options.maxRequests, context.state.batchSizeLimits[group.label] ?? Infinity);
    const members = group.requests.map((request) => byCustomId.get(request.customId)!);
    const slices = [];
    for (let start = 0; start < members.length; start += maxRequests) {
      slices.push({ label: group.label, requests: members.slice(start, start + maxRequests) });
    }
    return slices;
  });
}

/** Recomputes the queue counters from the store, so that they heal if an earlier run stopped half-way. */
export async function recountQueue(context: BridgeRunContext): Promise<void> {
  refreshQueueSummary(context, await context.store.listQueue(Number.MAX_SAFE_INTEGER), new Set());
}

function refreshQueueSummary(context: BridgeRunContext, entries: QueueEntry[], removed: Set<string>): void {
  const remaining = entries.filter((entry) => !removed.has(entry.requestKey));
  context.state.queued = remaining.length;
  context.state.queuedBytes = remaining.reduce((sum, entry) => sum + entry.bytes, 0);
  context.state.oldestQueuedAt = earliest(remaining.map((entry) => entry.queuedAt));
  context.state.backoffUntil = earliest(remaining.map((entry) => entry.notBefore ?? 0).filter((time) => time > context.now()));
}

/** Math.min(...values) overflows the call stack for very long queues. */
function earliest(values: number[]): number | null {
  let result: number | null = null;
  for (const value of values) if (result === null || value < result) result = value;
  return result;
}
