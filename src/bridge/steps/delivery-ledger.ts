import type { Operation } from '@langchain/langgraph';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { OutboxEntry, RequestRecord } from '../store-records.js';

/** An outcome in the outbox and its request. */
export interface DeliveryItem {
  entry: OutboxEntry;
  record: RequestRecord;
}

/**
 * Resume attempts for one outcome before it is given up on (named in the bridge's errors). With the delays below
 * that is about 25 minutes: a thread that refuses its answer for that long needs a person, not another run.
 */
export const maxResumeAttempts = 12;
const firstRetryMs = 2_000;
const longestRetryMs = 5 * 60_000;

/** How long to wait before attempt `attempts + 1` after `attempts` failed ones: doubling, capped. */
export function resumeRetryDelayMs(attempts: number): number {
  return Math.min(firstRetryMs * 2 ** Math.max(0, attempts - 1), longestRetryMs);
}

/**
 * What deliver-outcomes decides for each outcome, as store operations: the outbox entry stays until the thread is seen
 * to have taken the outcome, so that a resume run that is accepted and then lost (cancelled, failed before it
 * answered, gone with a restart) is sent again instead of leaving the call waiting.
 */
export class DeliveryLedger {
  readonly operations: Operation[] = [];
  private readonly failures: string[] = [];
  /** The outbox entries this run rewrote (null: removed), so that the outbox need not be read again. */
  readonly changed = new Map<string, OutboxEntry | null>();

  constructor(private readonly context: BridgeRunContext) {}

  private put(entry: OutboxEntry): void {
    this.changed.set(entry.requestKey, entry);
    this.operations.push(this.context.store.putOutbox(entry));
  }

  /** Takes an entry out of the outbox (answered, gone, given up on, or without an outcome to send). */
  remove(requestKey: string): void {
    this.changed.set(requestKey, null);
    this.operations.push(this.context.store.deleteOutbox(requestKey));
  }

  private get now() {
    return this.context.now();
  }

  /** How long after sending (or a look that found it still running) the resume run is looked at again. */
  get confirmEveryMs(): number {
    return this.context.options.pollIntervalMs;
  }

  /** The thread has taken the outcome: the request is done and leaves the outbox. */
  delivered(items: DeliveryItem[]): void {
    for (const { entry, record } of items) {
      const { delivery: _delivery, payload: _payload, ...slim } = record;
      this.operations.push(this.context.store.putRequest({ ...slim, status: 'delivered' }));
      this.remove(entry.requestKey);
    }
    this.context.state.totals.delivered += items.length;
  }

  /** The resume run was accepted: kept until the thread is seen to have taken it. */
  sent(items: DeliveryItem[], runId: string): void {
    for (const { entry } of items) this.put({ ...entry, runId, nextCheckAt: this.now + this.confirmEveryMs });
  }

  /** The resume run is still queued or running: looked at again later. */
  later(items: DeliveryItem[]): void {
    for (const { entry } of items) this.put({ ...entry, nextCheckAt: this.now + this.confirmEveryMs });
  }

  /** The thread is gone (deleted): nothing waits for the outcome any more. */
  dropped(items: DeliveryItem[], threadId: string): void {
    for (const { entry } of items) this.remove(entry.requestKey);
    this.failures.push(`thread ${threadId} no longer exists; its ${items.length} outcome(s) were dropped`);
  }

  /** The resume failed or ended without the thread taking it: sent again after a backoff, up to the cap. */
  failed(items: DeliveryItem[], threadId: string, reason: string, { wasSent }: { wasSent: boolean }): void {
    const attempts = items[0].entry.attempts + 1;
    if (attempts >= maxResumeAttempts) {
      for (const { entry } of items) this.remove(entry.requestKey);
      const totals = this.context.state.totals;
      totals.undeliverable = (totals.undeliverable ?? 0) + items.length;
      this.failures.push(
        `thread ${threadId}: given up after ${attempts} resume attempts; its ${items.length} call(s) still wait ` +
          `(resume them by hand or delete the thread): ${reason}`,
      );
      return;
    }
    if (wasSent) this.context.state.totals.resent = (this.context.state.totals.resent ?? 0) + items.length;
    for (const { entry } of items)
      this.put({
        ...entry,
        runId: undefined,
        attempts,
        nextCheckAt: this.now + resumeRetryDelayMs(attempts),
      });
    this.failures.push(`thread ${threadId}: ${reason}`);
  }

  /** Records what went wrong this run in the bridge's errors (a few named, the count of all). */
  report(): void {
    if (this.failures.length === 0) return;
    recordError(
      this.context,
      `Resuming ${this.failures.length} thread(s) did not go through; each is tried again after a backoff: ` +
        this.failures.slice(0, 3).join(' | '),
    );
  }
}
