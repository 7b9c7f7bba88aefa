import type { Operation } from '@langchain/langgraph';
import { hostname } from 'node:os';
import { customIdOf, earliest, errorMessage, planQueue, shouldFlush } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { QueueEntry, RequestRecord } from '../store-records.js';
import { failQueuedOperations } from './queue-delivery.js';
import { submitBatch } from './submit-batch.js';

/**
 * Submits the queue when the flush policy says so: the core plans the ready requests into batches (grouped by the
 * backend, within its limits and `maxRequests`), and each becomes one batch (submit-batch.ts). A batch the API refuses
 * stays queued for the next tick.
 */
export async function flushQueue(context: BridgeRunContext): Promise<void> {
  const { state, options } = context;
  const now = context.now();
  const snapshot = { count: state.queued, bytes: state.queuedBytes, oldestQueuedAt: state.oldestQueuedAt, now };
  if (!shouldFlush(options, snapshot)) return;
  const entries = await context.store.listQueue(state.queued + 1000);
  const ready = entries.filter((entry) => (entry.notBefore ?? 0) <= now);
  if (ready.length === 0) {
    refreshQueueSummary(context, entries, new Set());
    return;
  }
  const records = await context.store.getRequests(ready.map((entry) => entry.requestKey));
  const removed = new Set<string>();
  const operations: Operation[] = [];

  // An entry whose record is gone or no longer queued (cancelled, answered) only needs removing.
  const queued: Array<{ customId: string; payload: unknown; record: RequestRecord }> = [];
  for (const entry of ready) {
    const record = records.get(entry.requestKey);
    if (record?.status !== 'queued') {
      operations.push(context.store.deleteQueueEntry(entry.requestKey));
      removed.add(entry.requestKey);
      continue;
    }
    queued.push({ customId: customIdOf(record.requestKey, record.attempt), payload: record.payload, record });
  }

  let backend;
  try {
    backend = context.backend;
  } catch (error) {
    // No backend can be built here (no API key on this server): nothing can be submitted, so the calls fail now,
    // saying where the setting is missing, instead of waiting for a key that only a restart can bring.
    const message =
      `The bridge '${context.bridge}' cannot submit batches from the LangGraph server it runs on ` +
      `(host ${hostname()}): ${errorMessage(error)}`;
    for (const { record } of queued) {
      operations.push(
        ...failQueuedOperations(context, record, { type: 'error', code: 'bridge_not_configured', message }),
      );
      removed.add(record.requestKey);
    }
    recordError(context, `${message}; ${queued.length} call(s) failed.`);
    queued.length = 0;
  }
  const plan = backend
    ? planQueue(backend, queued, { maxRequests: options.maxRequests, batchSizeLimits: state.batchSizeLimits })
    : { batches: [], refused: [] };
  for (const { item, message } of plan.refused) {
    operations.push(...failQueuedOperations(context, item.record, { type: 'error', code: 'invalid_request', message }));
    removed.add(item.record.requestKey);
  }
  let backedOff = false;
  for (const { group, items } of plan.batches) {
    const result = await submitBatch(context, group, items);
    if (result === 'kept') backedOff = true;
    else for (const { record } of items) removed.add(record.requestKey);
  }
  await context.store.run(operations);
  // A group that backs off has new notBefore times in the store, which the next tick must wait for.
  refreshQueueSummary(context, backedOff ? await context.store.listQueue(Number.MAX_SAFE_INTEGER) : entries, removed);
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
  context.state.backoffUntil = earliest(
    remaining.map((entry) => entry.notBefore ?? 0).filter((time) => time > context.now()),
  );
}
