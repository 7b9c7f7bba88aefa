import { errorMessage, nextFlushAt } from '../../core/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';

/** A tick that should have come this long ago is taken as lost (a server restart) and scheduled again. */
const lostTickAfterMs = 30_000;

/**
 * Schedules the bridge's next run on its own thread with `afterSeconds` (the dev server has no crons): when the
 * oldest queued request is due, when a batch is due for polling, when an outcome's resume is due to be sent again or looked at. Only the
 * earliest tick is kept: a run does not schedule one if an earlier one is already coming.
 */
export async function scheduleTick(context: BridgeRunContext, assistantId: string): Promise<void> {
  const { state, options } = context;
  const now = context.now();
  const wanted: number[] = [];
  if (state.queued > 0) {
    const flushAt = options.shouldSubmit
      ? now + options.pollIntervalMs
      : (nextFlushAt(options, {
          count: state.queued,
          bytes: state.queuedBytes,
          oldestQueuedAt: state.oldestQueuedAt,
          now,
        }) ?? now);
    wanted.push(Math.max(flushAt, state.backoffUntil ?? 0));
  }
  for (const batch of state.batches) {
    wanted.push(Date.parse(batch.lastPolledAt ?? batch.submittedAt) + options.pollIntervalMs);
  }
  if (context.deliveryCheckAt !== undefined) wanted.push(context.deliveryCheckAt);
  if (context.inboxBacklog) wanted.push(now);
  if (context.recheckAt !== undefined) wanted.push(context.recheckAt);
  if (wanted.length === 0) return;

  const desired = Math.max(now, Math.min(...wanted));
  const coming = state.nextTickAt;
  if (coming !== null && coming <= desired + 1000 && coming >= now - lostTickAfterMs) return;
  try {
    await context.client.runs.create(context.threadId, assistantId, {
      input: { event: { type: 'tick', at: desired } },
      afterSeconds: Math.ceil((desired - now) / 1000),
      multitaskStrategy: 'enqueue',
    });
    state.nextTickAt = desired;
  } catch (error) {
    recordError(
      context,
      `Scheduling the next tick failed (the next request or a watchdog tick will try again): ${errorMessage(error)}`,
    );
  }
}
