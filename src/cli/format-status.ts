import type { BridgeState } from '../bridge/index.js';
import { formatUsd, type CostTotals } from '../core/index.js';

/** How long ago (or from now) a time is, in the largest unit that fits: `12 s ago`, `in 3 min`. */
function relative(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  const size = Math.abs(seconds);
  if (size === 0) return 'just now';
  const amount =
    size < 120 ? `${size} s` : size < 7200 ? `${Math.round(size / 60)} min` : `${(size / 3600).toFixed(1)} h`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}

function bytes(count: number): string {
  return count < 1024
    ? `${count} B`
    : count < 1024 ** 2
      ? `${(count / 1024).toFixed(1)} KB`
      : `${(count / 1024 ** 2).toFixed(1)} MB`;
}

/** What an operator wants from the bridge's state: the queue, the batches in flight, what went wrong lately. */
export function formatBridgeStatus(
  bridge: string,
  url: string,
  threadId: string,
  state: BridgeState,
  now = Date.now(),
): string {
  const lines = [`Bridge '${bridge}' on ${url} (thread ${threadId})`];
  const oldest = state.oldestQueuedAt === null ? '' : `, oldest queued ${relative(state.oldestQueuedAt, now)}`;
  lines.push(`  queue        ${state.queued} request(s), ${bytes(state.queuedBytes)}${oldest}`);
  const refusedLabels = Object.entries(state.submitFailures ?? {});
  if (state.backoffUntil !== null && state.backoffUntil > now) {
    const why = refusedLabels.length > 0 ? 'the API refused a submission, or a token limit' : 'token limit';
    lines.push(`  backoff      until ${new Date(state.backoffUntil).toISOString()} (${why})`);
  }
  for (const [label, failures] of refusedLabels)
    lines.push(`  refused      ${label}: ${failures} submission(s) in a row; the last error is below`);
  lines.push(`  in flight    ${state.batches.length} batch(es)`);
  for (const batch of state.batches) {
    const counts = batch.requestCounts
      ? `${batch.requestCounts.completed}/${batch.requestCounts.total} done, ${batch.requestCounts.failed} failed`
      : `${batch.requestCount} requests`;
    const polled = batch.lastPolledAt ? `polled ${relative(Date.parse(batch.lastPolledAt), now)}` : 'not polled yet';
    const notes = [
      batch.cancelRequested ? 'cancel requested' : '',
      batch.pollFailures > 0 ? `${batch.pollFailures} failed poll(s)` : '',
    ].filter(Boolean);
    lines.push(
      `    ${batch.batchId ?? `(being created, tag ${batch.submissionTag})`}  ${batch.status.padEnd(11)}  ${counts}  ${batch.label}  submitted ${relative(Date.parse(batch.submittedAt), now)}, ${polled}` +
        (notes.length ? `  (${notes.join(', ')})` : ''),
    );
  }
  const reconciliation = state.reconciliation;
  if (reconciliation) {
    const at = reconciliation.at === null ? 'not yet' : relative(Date.parse(reconciliation.at), now);
    lines.push(
      `  reconciled   ${at} (${reconciliation.apiCalls} API call(s)); adopted ${reconciliation.adoptedBatches} batch(es), ` +
        `${reconciliation.adoptedRequests} request(s); ${reconciliation.nudgedThreads} thread(s) asked to hand over again` +
        (reconciliation.pendingBatches > 0
          ? `; ${reconciliation.pendingBatches} unknown batch(es) wait for their requests`
          : ''),
    );
    for (const orphan of reconciliation.orphans) {
      const what =
        orphan.action === 'cancelled'
          ? 'cancelled (provably this deployment’s)'
          : orphan.action === 'cancel failed'
            ? 'cancelling it FAILED'
            : orphan.provablyOurs
              ? 'finished, results reach no one'
              : 'not provably this deployment’s: left alone';
      lines.push(
        `  orphan       ${orphan.batchId}  ${orphan.status.padEnd(11)}  ${orphan.requestCount} requests  ${orphan.label}  ${what}`,
      );
      if (
        orphan.action !== 'cancelled' &&
        orphan.cancelCommand &&
        !['completed', 'failed', 'expired', 'cancelled'].includes(orphan.status)
      )
        lines.push(`               cancel it: ${orphan.cancelCommand}`);
    }
  }
  if (state.undelivered > 0)
    lines.push(`  undelivered  ${state.undelivered} outcome(s) wait for their resume to be accepted`);
  if ((state.resuming ?? 0) > 0)
    lines.push(`  resuming     ${state.resuming} outcome(s) sent, until their thread is seen to have taken them`);
  lines.push(`  next tick    ${state.nextTickAt === null ? 'none scheduled' : relative(state.nextTickAt, now)}`);
  const { totals } = state;
  lines.push(
    `  totals       received ${totals.received} · submitted ${totals.submitted} · succeeded ${totals.succeeded} · failed ${totals.failed} · ` +
      `retried ${totals.retried} · cancelled ${totals.cancelled} · delivered ${totals.delivered} · batches ${totals.batches}` +
      (totals.resent ? ` · resent ${totals.resent}` : '') +
      (totals.undeliverable ? ` · undeliverable ${totals.undeliverable}` : ''),
  );
  lines.push(...costLines(state.cost));
  for (const error of state.recentErrors.slice(0, 3)) lines.push(`  error        ${error.at} ${error.message}`);
  return lines.join('\n');
}

/**
 * What the bridge's answers cost: spent at batch price, the synchronous price of the same tokens, the saving and the
 * date of the prices; answers of models without a known price are said apart (their cost is unknown, not 0).
 */
function costLines(cost: CostTotals | undefined): string[] {
  if (!cost) return ['  spent        not recorded (the bridge predates cost totals)'];
  const lines: string[] = [];
  if (cost.pricedAnswers > 0 || cost.unpricedAnswers === 0) {
    const asOf = cost.pricesAsOf ? ` (prices of ${cost.pricesAsOf})` : '';
    lines.push(
      `  spent        ${formatUsd(cost.batchUsd)} at batch price for ${cost.pricedAnswers} answer(s) · ` +
        `${formatUsd(cost.synchronousUsd)} at synchronous price · saved ${formatUsd(cost.savedUsd)}${asOf}`,
    );
  }
  if (cost.unpricedAnswers > 0) {
    lines.push(
      `  cost unknown ${cost.unpricedAnswers} answer(s) of ${cost.unpricedModels.join(', ')}: no price in the catalog, ` +
        "not counted above (give it in the bridge's prices option)",
    );
  }
  return lines;
}
