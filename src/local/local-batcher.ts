import { randomBytes } from 'node:crypto';
import type { OpenAIBackend, OpenAIPayload } from '../backends/openai/index.js';
import {
  deliveredOutcome,
  earliest,
  emptyCostTotals,
  measurePayload,
  nextFlushAt,
  oversizeRefusal,
  shouldFlush,
  type DeliveredOutcome,
} from '../core/index.js';
import type { BatcherContext } from './batcher-context.js';
import { createNullBatchStore, type BatchStore, type StoredRequest } from './batch-store.js';
import { KeepAliveTimer } from './keep-alive-timer.js';
import { announceLocalMode, lineWriter, summarizeAtExit, type LocalSpending } from './local-notice.js';
import type { ResolvedLocalOptions } from './local-options.js';
import { createLocalBackend, scopeOf, type OpenAIConnection } from './openai-connection.js';
import { newPendingRequest, type LocalDelivery, type PendingRequest, type WatchedRequest } from './pending-request.js';
import { openBatchStore } from './store-registry.js';
import { SubmissionRecovery } from './submission-recovery.js';
import { submitRequests } from './submit-requests.js';
import { BatchWatch } from './watch-batch.js';

/** How often a custom `shouldSubmit` is asked again while requests wait. */
const customPolicyRecheckMs = 1_000;

/**
 * The in-process counterpart of the bridge: calls of one process join a queue, the bridge's flush policy turns them
 * into batches, timers poll, and each call gets the outcome the bridge would have delivered. With a store, answers
 * outlive the process and batches in flight are picked up again by the next run.
 */
export class LocalBatcher implements BatcherContext {
  readonly scope: string;
  readonly log: (line: string) => void;
  store: BatchStore = createNullBatchStore();
  private opened: Promise<void> | undefined;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly queue = new Set<PendingRequest>();
  private readonly watches = new Map<string, BatchWatch>();
  private readonly recovery = new SubmissionRecovery(
    () => this.store,
    () => this.backend(),
    (line) => this.log(line),
  );
  private readonly queueTimer = new KeepAliveTimer(() => this.checkQueue());
  private checkScheduled = false;
  private flushing = false;
  private closed = false;
  private announcedCacheUse = false;
  private connected: OpenAIBackend | undefined;
  readonly batchSizeLimits: Record<string, number> = {};
  readonly submitFailures: Record<string, number> = {};
  readonly spending: LocalSpending = { totals: emptyCostTotals(), batches: 0, fromStore: 0 };
  private stopSummary: (() => void) | undefined;

  constructor(
    private readonly connection: OpenAIConnection,
    readonly options: ResolvedLocalOptions,
  ) {
    this.scope = scopeOf(connection);
    this.log = lineWriter(options);
  }

  /** Answers one request: from the store, from a batch already in flight, or from a new batch. */
  async request(request: OpenAIPayload, signal?: AbortSignal): Promise<LocalDelivery> {
    signal?.throwIfAborted();
    await this.open();
    const measured = measurePayload(request);
    const { digest } = measured;
    // Identical calls share one request and one answer; with `cache: false` every call is its own line.
    const key = this.options.cache ? digest.slice(0, 32) : randomBytes(16).toString('hex');
    const refusal = oversizeRefusal(measured.bytes, this.options.maxRequestBytes, 'local mode');
    if (refusal) {
      const where = { batchId: null, customId: null, submittedAt: null };
      const refused = { requestKey: key, digest, attempt: 0, queuedAt: Date.now() };
      return { delivered: deliveredOutcome(refused, where, refusal, Date.now()), fromCache: false };
    }
    let pending = this.pending.get(key);
    if (!pending) {
      const stored = this.options.cache && !this.options.fresh ? this.store.lookup(this.scope, digest) : undefined;
      if (stored?.status === 'answered') return this.fromCache(stored.delivered);
      pending = newPendingRequest(key, measured, request, Date.now());
      this.pending.set(key, pending);
      if (stored?.status === 'in_flight') void this.reattach(pending, stored);
      else this.enqueue(pending, stored?.attempt ?? 1, null);
    }
    return this.waitFor(pending, signal);
  }

  backend(): OpenAIBackend {
    this.connected ??= createLocalBackend(this.connection);
    return this.connected;
  }

  pendingFor(member: WatchedRequest, customId: string): PendingRequest | undefined {
    const pending = this.pending.get(member.requestKey);
    return pending?.customId === customId && pending.state === 'in_flight' ? pending : undefined;
  }

  deliver(pending: PendingRequest, delivered: DeliveredOutcome): void {
    this.release(pending);
    for (const waiter of pending.waiters) waiter.resolve({ delivered, fromCache: false });
  }

  fail(pending: PendingRequest, error: unknown): void {
    this.release(pending);
    for (const waiter of pending.waiters) waiter.reject(error);
  }

  requeue(pending: PendingRequest, attempt: number, notBefore: number | null): void {
    // Nobody waits any more (aborted): the store says 'retry', and a later run that asks continues the count.
    if (pending.waiters.size === 0) this.release(pending);
    else this.enqueue(pending, attempt, notBefore);
  }

  watch(batch: Parameters<BatcherContext['watch']>[0], reattached: boolean): void {
    if (this.watches.has(batch.submissionId) || this.closed) return;
    const watch = new BatchWatch(
      this,
      batch.submissionId,
      batch.batchId,
      batch.label,
      batch.submittedAt,
      batch.members,
    );
    this.watches.set(batch.submissionId, watch);
    watch.start(reattached ? 0 : this.options.pollIntervalMs);
  }

  unwatch(submissionId: string): void {
    this.watches.get(submissionId)?.stop();
    this.watches.delete(submissionId);
    this.scheduleQueueCheck();
  }

  /** Stops every timer; calls still waiting are left unanswered (tests use it between cases). */
  close(): void {
    this.closed = true;
    this.stopSummary?.();
    this.queueTimer.cancel();
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }

  private open(): Promise<void> {
    this.opened ??= (async () => {
      if (this.options.cache) this.store = await openBatchStore(this.options.directory);
      announceLocalMode(this.log, this.store.file, this.options.fresh, this.store.driver);
      this.stopSummary ??= summarizeAtExit(this.log, this.spending);
    })().catch((error: unknown) => {
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  private fromCache(delivered: DeliveredOutcome): LocalDelivery {
    this.spending.fromStore += 1;
    if (!this.announcedCacheUse) {
      this.announcedCacheUse = true;
      this.log('answering from the store where it can (local: { fresh: true } or BATCH_BRIDGE_FRESH=1 ignores it).');
    }
    return { delivered, fromCache: true };
  }

  /** A request an earlier run submitted: wait for that batch instead of submitting it again. */
  private async reattach(
    pending: PendingRequest,
    stored: Extract<StoredRequest, { status: 'in_flight' }>,
  ): Promise<void> {
    pending.attempt = stored.attempt;
    pending.queuedAt = stored.queuedAt;
    try {
      const submission = await this.recovery.batchOf(stored.submissionId);
      if (pending.waiters.size === 0) return this.release(pending);
      // The batch may have ended (and been recorded by another batcher of this process) while this one looked.
      const latest = this.store.lookup(this.scope, pending.digest);
      if (latest?.status === 'answered') {
        this.release(pending);
        for (const waiter of pending.waiters) waiter.resolve(this.fromCache(latest.delivered));
        return;
      }
      if (!submission || latest?.status !== 'in_flight' || latest.submissionId !== stored.submissionId) {
        this.enqueue(pending, latest?.attempt ?? stored.attempt, null);
        return;
      }
      pending.customId = stored.customId;
      pending.state = 'in_flight';
      if (!this.watches.has(stored.submissionId)) {
        const members = new Map<string, WatchedRequest>(
          this.store
            .members(stored.submissionId)
            .map((member) => [member.customId, { ...member, requestKey: member.digest.slice(0, 32) }]),
        );
        this.log(
          `reattached to batch ${submission.batchId} (${members.size} request(s), ${submission.label}) from an earlier run`,
        );
        this.watch({ submissionId: stored.submissionId, ...submission, members }, true);
      } else {
        this.watches.get(stored.submissionId)!.refreshKeepAlive();
      }
    } catch (error) {
      this.fail(pending, error);
    }
  }

  private enqueue(pending: PendingRequest, attempt: number, notBefore: number | null): void {
    pending.attempt = attempt;
    pending.notBefore = notBefore;
    pending.state = 'queued';
    pending.customId = null;
    this.queue.add(pending);
    this.scheduleQueueCheck();
  }

  /** After the current burst of calls: a `Promise.all` of thousands of calls queues them all before this runs. */
  private scheduleQueueCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.checkQueue();
    });
  }

  private checkQueue(): void {
    if (this.flushing || this.closed) return;
    const now = Date.now();
    const ready = [...this.queue].filter((pending) => (pending.notBefore ?? 0) <= now);
    const snapshot = {
      count: ready.length,
      bytes: ready.reduce((sum, pending) => sum + pending.bytes, 0),
      oldestQueuedAt: ready.reduce<number | null>(
        (oldest, pending) => Math.min(oldest ?? pending.queuedAt, pending.queuedAt),
        null,
      ),
      now,
    };
    if (shouldFlush(this.options, snapshot)) {
      void this.flush(ready);
      return;
    }
    const wanted = [...this.queue].map((pending) => pending.notBefore ?? Infinity);
    if (ready.length > 0)
      wanted.push(
        this.options.shouldSubmit ? now + customPolicyRecheckMs : (nextFlushAt(this.options, snapshot) ?? now),
      );
    const next = earliest(wanted) ?? Infinity;
    if (next === Infinity) this.queueTimer.cancel();
    // Queued requests always have waiters (abandoned ones leave the queue), so this timer keeps the process alive.
    else this.queueTimer.schedule(next - now, true);
  }

  private async flush(ready: PendingRequest[]): Promise<void> {
    this.flushing = true;
    this.queueTimer.cancel();
    for (const pending of ready) this.queue.delete(pending);
    try {
      await submitRequests(this, ready);
    } catch (error) {
      // Not an API failure (those are handled per group) but a broken store: no call may be left waiting for ever.
      for (const pending of ready) if (this.pending.get(pending.requestKey) === pending) this.fail(pending, error);
    } finally {
      this.flushing = false;
      this.checkQueue();
    }
  }

  private waitFor(pending: PendingRequest, signal: AbortSignal | undefined): Promise<LocalDelivery> {
    return new Promise<LocalDelivery>((resolve, reject) => {
      const onAbort = () => {
        pending.waiters.delete(waiter);
        reject(signal?.reason);
        this.abandon(pending);
      };
      const waiter = {
        resolve: (delivery: LocalDelivery) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(delivery);
        },
        reject: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      pending.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * A call gave up (its abort signal fired). A request nobody waits for leaves the queue; one already submitted stays
   * in its batch (a line cannot be taken back) and is recorded when the batch ends, but no longer keeps the process alive.
   */
  private abandon(pending: PendingRequest): void {
    if (pending.waiters.size > 0) return;
    if (pending.state === 'queued') {
      this.release(pending);
      this.checkQueue();
    }
    for (const watch of this.watches.values()) watch.refreshKeepAlive();
  }

  private release(pending: PendingRequest): void {
    this.queue.delete(pending);
    if (this.pending.get(pending.requestKey) === pending) this.pending.delete(pending.requestKey);
  }
}
