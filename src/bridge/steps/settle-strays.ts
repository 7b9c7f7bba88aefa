import { errorMessage } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { InFlightBatch, OrphanBatch } from '../bridge-state.js';
import type { RequestRecord, StrayBatch } from '../store-records.js';
import { recountQueue } from './flush-queue.js';

/** The engine's custom ids: `bb-<request key>-<attempt>` (core/identity.ts). */
const customIdPattern = /^bb-([0-9a-f]{32})-(\d+)$/;
const orphansKept = 20;

type Line = { customId: string; requestKey: string; attempt: number; line: number };

/**
 * Decides what becomes of each stray batch (a batch of this bridge's graph id at the API that the store did not
 * know; reconcile-batches.ts). Runs on every bridge run while strays exist, after the inbox is taken in and before
 * anything is submitted, with no API call but a cancel:
 * - A line whose request the store holds and that still waits for exactly this line (queued for that attempt, or
 *   marked submitted under the stray's tag) is adopted: the request becomes a line of the batch, which is polled and
 *   delivered as usual, and is never submitted again. The batch is not polled while some of its lines' requests may
 *   still be handed over again, so that they join it in time.
 * - Once every line is accounted for, or `orphanAfterMs` has passed, a stray with adopted lines is an ordinary batch;
 *   one with none is an orphan: reported in the state and the log with a command to cancel it, and cancelled at once
 *   when its metadata carries this deployment's id and it is still running.
 */
export async function settleStrays(context: BridgeRunContext): Promise<void> {
  const { store } = context;
  const strays = await store.listStrays();
  let pending = 0;
  for (const stray of strays) {
    const open = await settleStray(context, stray);
    if (open) {
      pending += 1;
      context.recheckAt = Math.min(context.recheckAt ?? Infinity, stray.decideAt);
    }
  }
  context.state.reconciliation.pendingBatches = pending;
}

/** Returns true while the stray waits for more of its requests. */
async function settleStray(context: BridgeRunContext, stray: StrayBatch): Promise<boolean> {
  const { store } = context;
  const adopted = new Set(stray.adopted);
  const lines: Line[] = [];
  stray.customIds.forEach((customId, index) => {
    const match = customIdPattern.exec(customId);
    if (match && !adopted.has(customId))
      lines.push({ customId, requestKey: match[1], attempt: Number(match[2]), line: index + 1 });
  });
  const records = await store.getRequests(lines.map((line) => line.requestKey));
  const waiting: Array<Line & { record: RequestRecord }> = [];
  let unknown = 0;
  let answeredHere = 0;
  for (const line of lines) {
    const record = records.get(line.requestKey);
    if (!record) {
      unknown += 1;
      continue;
    }
    if (record.batchId === stray.batchId && record.status !== 'submitted') answeredHere += 1;
    const waitsForThisLine =
      (record.status === 'queued' && record.attempt === line.attempt) ||
      (record.status === 'submitted' &&
        record.submissionTag === stray.submissionTag &&
        record.customId === line.customId);
    if (waitsForThisLine) waiting.push({ ...line, record });
  }
  const now = context.now();
  const settled = unknown === 0 || now >= stray.decideAt;
  if (waiting.length > 0) await adopt(context, stray, waiting, settled);
  const adoptedCount = stray.adopted.length + waiting.length;
  if (!settled) {
    await store.run([
      store.putStray({ ...stray, adopted: [...stray.adopted, ...waiting.map((line) => line.customId)] }),
    ]);
    return true;
  }
  if (adoptedCount === 0 && answeredHere === 0) await reportOrphan(context, stray);
  else if (adoptedCount > 0 && waiting.length === 0) await finishAdoption(context, stray);
  await store.run([store.deleteStray(stray.batchId)]);
  return false;
}

/** Writes the lines in the order submit-batch.ts does: lines, requests, the batch record, then the queue entries go. */
async function adopt(
  context: BridgeRunContext,
  stray: StrayBatch,
  waiting: Array<Line & { record: RequestRecord }>,
  complete: boolean,
): Promise<void> {
  const { store, state } = context;
  const submittedAt = stray.createdAt;
  await store.run(
    waiting.map(({ customId, record, line }) =>
      store.putBatchMember(stray.submissionTag, customId, { requestKey: record.requestKey, line }),
    ),
  );
  await store.run(
    waiting.map(({ customId, record }) =>
      store.putRequest({
        ...record,
        status: 'submitted',
        customId,
        submissionTag: stray.submissionTag,
        batchId: stray.batchId,
        submittedAt,
      }),
    ),
  );
  const existing = state.batches.find((batch) => batch.batchId === stray.batchId);
  const batch: InFlightBatch = {
    submissionTag: stray.submissionTag,
    batchId: stray.batchId,
    label: stray.label,
    status: existing?.status ?? stray.status,
    requestCount: stray.adopted.length + waiting.length,
    requestCounts: existing?.requestCounts ?? null,
    submittedAt: new Date(submittedAt).toISOString(),
    lastPolledAt: existing?.lastPolledAt ?? null,
    pollFailures: existing?.pollFailures ?? 0,
    cancelRequested: existing?.cancelRequested ?? false,
    adoptingUntil: complete ? null : stray.decideAt,
  };
  await store.run([store.putBatch(batch)]);
  await store.run(waiting.map(({ record }) => store.deleteQueueEntry(record.requestKey)));
  state.batches = [...state.batches.filter((inFlight) => inFlight.batchId !== stray.batchId), batch];
  const summary = state.reconciliation;
  if (!existing) summary.adoptedBatches += 1;
  summary.adoptedRequests += waiting.length;
  await recountQueue(context);
  recordError(
    context,
    `Adopted batch ${stray.batchId} (${stray.label}), which the store did not know: ${waiting.length} waiting request(s) ` +
      `are its lines (${batch.requestCount} of its ${stray.customIds.length} so far) and get its results; none is submitted again.`,
  );
}

/** Every line is accounted for: the adopted batch is polled from now on. */
async function finishAdoption(context: BridgeRunContext, stray: StrayBatch): Promise<void> {
  const batch = context.state.batches.find((inFlight) => inFlight.batchId === stray.batchId);
  if (!batch || !batch.adoptingUntil) return;
  const ready = { ...batch, adoptingUntil: null };
  await context.store.run([context.store.putBatch(ready)]);
  context.state.batches = context.state.batches.map((inFlight) => (inFlight === batch ? ready : inFlight));
}

async function reportOrphan(context: BridgeRunContext, stray: StrayBatch): Promise<void> {
  let action: OrphanBatch['action'] = 'reported';
  let failure = '';
  // A batch already being cancelled (an earlier run asked, and its record of that was lost) is not asked again.
  if (stray.provablyOurs && !stray.terminal && stray.status !== 'cancelling' && context.backend.cancel) {
    try {
      await context.backend.cancel(stray.batchId);
      context.state.reconciliation.apiCalls += 1;
      action = 'cancelled';
    } catch (error) {
      action = 'cancel failed';
      failure = errorMessage(error);
    }
  }
  const orphan: OrphanBatch = {
    batchId: stray.batchId,
    status: action === 'cancelled' ? 'cancelling' : stray.status,
    label: stray.label,
    createdAt: new Date(stray.createdAt).toISOString(),
    requestCount: stray.customIds.length,
    provablyOurs: stray.provablyOurs,
    action,
    cancelCommand: stray.cancelCommand,
    foundAt: new Date(stray.firstSeenAt).toISOString(),
  };
  const summary = context.state.reconciliation;
  summary.orphans = [orphan, ...summary.orphans.filter((known) => known.batchId !== orphan.batchId)].slice(
    0,
    orphansKept,
  );
  const what = `Batch ${stray.batchId} (${stray.label}, ${stray.customIds.length} request(s), ${stray.status}) is this bridge's, but no waiting request is one of its lines`;
  const message =
    action === 'cancelled'
      ? `${what}: its metadata names this deployment, so it was cancelled.`
      : stray.terminal
        ? `${what}: it has finished and its results reach no one.`
        : `${what}${action === 'cancel failed' ? `: cancelling it failed (${failure})` : ' and it was made before this store existed, so it is not provably this deployment’s'}. ` +
          `If no other deployment uses this API key and graph id, cancel it: ${stray.cancelCommand ?? `cancel batch ${stray.batchId}`}`;
  recordError(context, message);
  console.warn(`[batch-bridge] ${context.bridge}: ${message}`);
}
