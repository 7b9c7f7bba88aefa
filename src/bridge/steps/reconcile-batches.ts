import { bridgeMetadataKey, deploymentMetadataKey, submissionMetadataKey } from '../../backends/types.js';
import { errorMessage } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { StrayBatch } from '../store-records.js';
import { loadIdentity } from './deployment-identity.js';
import { dropUnwaitedRequests } from './drop-unwaited.js';
import { settleStrays } from './settle-strays.js';
import { sweepLostHandOvers } from './sweep-hand-overs.js';

/** Listing starts this long before the last complete reconciliation (clock skew, a save that came late). */
const overlapMs = 60 * 60_000;

/**
 * Reconciliation with the batch API. The bridge's store can lose what the API still has: on the dev server a
 * `kill -9` or a power loss keeps only its last save (up to ~10 s old), and a batch created after it is billed while
 * no record of the bridge names it. So at the first run of a process, and at a run after a gap, the bridge lists the
 * API's recent batches of its own graph id (bounded: pages, batches, and back only to the last reconciliation) and
 * keeps each one its store does not know as a stray, with the custom ids of its lines. A stray is adopted as soon as
 * its requests are known again (settle-strays.ts), which the lost hand-over sweep (sweep-hand-overs.ts) brings about
 * for threads that still wait on them; one that no known request claims in time is an orphan: reported, and
 * cancelled only when its metadata carries this deployment's id. Batches of another identity are never touched.
 *
 * `due` is decided by the caller (first run of the process, or a gap). Strays found earlier are settled on every run,
 * with no API call but a cancel. Returns false when a due reconciliation did not finish (the API or the store
 * failed): the run then submits nothing, since a request could be a line of a batch the bridge has not seen yet.
 */
export async function reconcileBatches(context: BridgeRunContext, options: { due: boolean }): Promise<boolean> {
  const summary = context.state.reconciliation;
  let finished = true;
  let backend;
  try {
    backend = context.backend;
  } catch {
    // No backend can be built here (no API key): there is no API to reconcile with; the flush says why.
    return true;
  }
  if (options.due && backend.listRecent) {
    try {
      finished = await listStrays(context);
      summary.at = new Date(context.now()).toISOString();
    } catch (error) {
      // A refusal that waiting does not fix (a wrong key, no quota) refuses the submissions too, which then answer the
      // calls with it; holding them would leave the calls waiting for nothing.
      const final = (error as { retryable?: unknown } | null)?.retryable === false;
      finished = final;
      recordError(
        context,
        final
          ? `Reconciling with the batch API was refused: ${errorMessage(error)}`
          : `Reconciling with the batch API failed; nothing is submitted until it succeeds (tried again on the next tick): ${errorMessage(error)}`,
      );
    }
    try {
      await sweepLostHandOvers(context);
    } catch (error) {
      recordError(
        context,
        `Looking for lost hand-overs failed; tried at the next reconciliation: ${errorMessage(error)}`,
      );
    }
  }
  await settleStrays(context);
  if (options.due) {
    try {
      await dropUnwaitedRequests(context);
    } catch (error) {
      recordError(context, `Checking the queued requests' threads failed: ${errorMessage(error)}`);
    }
  }
  return finished;
}

/** Returns false when a bound stopped it before every unknown batch was looked at: the next run goes on. */
async function listStrays(context: BridgeRunContext): Promise<boolean> {
  const { backend, options, store, state } = context;
  const summary = state.reconciliation;
  const identity = context.identity ?? (await loadIdentity(context));
  const now = context.now();
  const { reconcile } = options;
  const since = Math.max(now - reconcile.lookbackMs, (identity.reconciledThrough ?? 0) - overlapMs);
  const listed = await backend.listRecent!({
    since,
    metadata: { [bridgeMetadataKey]: context.bridge },
    maxBatches: reconcile.maxBatches,
    maxPages: reconcile.maxPages,
  });
  summary.apiCalls += listed.pages;

  const knownBatchIds = new Set(state.batches.map((batch) => batch.batchId));
  const knownTags = new Set(state.batches.map((batch) => batch.submissionTag));
  const strays = new Map((await store.listStrays()).map((stray) => [stray.batchId, stray]));
  const settled = await store.listSettled();
  const reported = new Set(summary.orphans.map((orphan) => orphan.batchId));
  let read = 0;
  let leftOver = 0;
  for (const batch of listed.batches) {
    const tag = batch.metadata[submissionMetadataKey];
    if (knownBatchIds.has(batch.batchId) || (tag !== undefined && knownTags.has(tag))) continue;
    const stray = strays.get(batch.batchId);
    if (stray) {
      // Known from an earlier listing: its status now (a stray kept across a crash may have been cancelled since).
      if (stray.status !== batch.status)
        await store.run([store.putStray({ ...stray, status: batch.status, terminal: batch.terminal })]);
      continue;
    }
    if (settled.has(batch.batchId) || reported.has(batch.batchId)) continue;
    const provablyOurs = batch.metadata[deploymentMetadataKey] === identity.deploymentId;
    // A batch of another deployment that shares this graph id and key, made while this store existed, is theirs. One
    // made before this store existed may be ours from a store that was lost: its requests may still come, and if
    // none does it is reported (never cancelled).
    if (!provablyOurs && batch.createdAt >= identity.createdAt) continue;
    if (read >= reconcile.maxBatchesRead || !backend.customIdsOf) {
      leftOver += 1;
      continue;
    }
    read += 1;
    const customIds = await backend.customIdsOf(batch.batchId);
    summary.apiCalls += 2;
    const found: StrayBatch = {
      batchId: batch.batchId,
      submissionTag: tag ?? batch.batchId,
      label: batch.label,
      status: batch.status,
      terminal: batch.terminal,
      createdAt: batch.createdAt,
      provablyOurs,
      customIds,
      adopted: [],
      firstSeenAt: now,
      decideAt: now + reconcile.orphanAfterMs,
      cancelCommand: batch.cancelCommand ?? null,
    };
    await store.run([store.putStray(found)]);
  }
  // Settled batches older than the list goes back need no remembering.
  const forgotten = [...settled].filter(([, at]) => at < since - overlapMs).map(([batchId]) => batchId);
  await store.run(forgotten.map((batchId) => store.deleteSettled(batchId)));
  if (listed.complete && leftOver === 0) {
    const reconciled = { ...identity, reconciledThrough: now };
    await store.run([store.putIdentity(reconciled)]);
    context.identity = reconciled;
    return true;
  }
  if (leftOver > 0) return false;
  {
    recordError(
      context,
      `Reconciliation stopped at its bounds (${listed.pages} page(s), ${listed.scanned} batch(es) looked at, ` +
        `${leftOver} unknown batch(es) left for the next run); older batches are not looked at.`,
    );
  }
  return true;
}
