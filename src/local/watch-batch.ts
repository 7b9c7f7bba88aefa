import type { BatchPoll } from '../backends/types.js';
import {
  addCost,
  afterPollFailure,
  deliveredOutcome,
  emptyCostTotals,
  errorMessage,
  nextBatchSizeLimit,
  settleOutcome,
  unavailableOutcomes,
  type CallCost,
  type DeliveredOutcome,
} from '../core/index.js';
import type { BatcherContext } from './batcher-context.js';
import type { StoredSettlement } from './batch-store.js';
import { KeepAliveTimer } from './keep-alive-timer.js';
import { describeBatchSpending } from './local-notice.js';
import type { PendingRequest, WatchedRequest } from './pending-request.js';

/** Poll failures are logged the first time and then every this many, not every interval. */
const failureLogEvery = 10;

/**
 * Polls one batch in flight until it is terminal, then settles every line with the core's decision: answers are
 * recorded and delivered, retryable failures go back to the queue, final errors are delivered and forgotten (a rerun
 * asks again). After `maxPollFailures` failed polls in a row its requests are settled as retryable, as in the bridge.
 */
export class BatchWatch {
  private readonly timer = new KeepAliveTimer(() => void this.poll().catch((error: unknown) => this.abandon(error)));
  private failures = 0;

  constructor(
    private readonly context: BatcherContext,
    readonly submissionId: string,
    readonly batchId: string,
    private readonly label: string,
    private readonly submittedAt: number | null,
    private readonly members: Map<string, WatchedRequest>,
  ) {}

  /** A reattached batch may be done already: it is polled at once. */
  start(firstPollInMs: number): void {
    this.timer.schedule(firstPollInMs, this.hasWaiters());
  }

  hasWaiters(): boolean {
    for (const [customId, member] of this.members) {
      if ((this.context.pendingFor(member, customId)?.waiters.size ?? 0) > 0) return true;
    }
    return false;
  }

  refreshKeepAlive(): void {
    this.timer.keepAlive(this.hasWaiters());
  }

  stop(): void {
    this.timer.cancel();
  }

  private next(): void {
    this.timer.schedule(this.context.options.pollIntervalMs, this.hasWaiters());
  }

  private async poll(): Promise<void> {
    const customIds = [...this.members.keys()];
    let poll: BatchPoll;
    try {
      poll = await this.context.backend().poll({ batchId: this.batchId, customIds });
    } catch (error) {
      this.failures += 1;
      if (afterPollFailure(this.failures, this.context.options.maxPollFailures) === 'poll_again') {
        if (this.failures === 1 || this.failures % failureLogEvery === 0) {
          this.context.log(
            `polling batch ${this.batchId} failed ${this.failures} time(s); trying again every ` +
              `${this.context.options.pollIntervalMs} ms: ${errorMessage(error)}`,
          );
        }
        this.next();
        return;
      }
      this.context.log(
        `gave up on batch ${this.batchId} after ${this.failures} failed polls; its requests are submitted again: ${errorMessage(error)}`,
      );
      poll = {
        status: 'unavailable',
        terminal: true,
        outcomes: unavailableOutcomes(this.batchId, customIds, error),
      };
    }
    this.failures = 0;
    if (!poll.terminal) {
      this.next();
      return;
    }
    this.settle(poll);
  }

  /** Something other than the API broke (the store): the calls fail rather than wait for ever. */
  private abandon(error: unknown): void {
    for (const [customId, member] of this.members) {
      const pending = this.context.pendingFor(member, customId);
      if (pending) this.context.fail(pending, error);
    }
    this.context.unwatch(this.submissionId);
  }

  private settle(poll: BatchPoll): void {
    const { options, store, batchSizeLimits } = this.context;
    const now = Date.now();
    const outcomes = poll.outcomes ?? [];
    const limit = nextBatchSizeLimit(batchSizeLimits[this.label], this.members.size, outcomes);
    if (limit === undefined) delete batchSizeLimits[this.label];
    else batchSizeLimits[this.label] = limit;

    const byCustomId = new Map(outcomes.map((outcome) => [outcome.customId, outcome]));
    const settleContext = {
      batchId: this.batchId,
      batchStatus: poll.status,
      cancelRequested: false,
      maxAttempts: options.maxAttempts,
      backoffMs: options.backoffMs,
      now,
    };
    const settlements: StoredSettlement[] = [];
    const deliveries: Array<[PendingRequest, DeliveredOutcome]> = [];
    const retries: Array<[PendingRequest, number, number | null]> = [];
    let answered = 0;
    let failed = 0;
    const costs: CallCost[] = [];
    for (const [customId, member] of this.members) {
      const pending = this.context.pendingFor(member, customId);
      const settlement = settleOutcome(byCustomId.get(customId), member, settleContext);
      if (settlement.action === 'retry') {
        settlements.push({
          digest: member.digest,
          kind: 'retry',
          attempt: settlement.attempt,
          queuedAt: member.queuedAt,
        });
        if (pending) retries.push([pending, settlement.attempt, settlement.notBefore]);
        continue;
      }
      const where = { batchId: this.batchId, customId, submittedAt: this.submittedAt };
      const delivered = deliveredOutcome(member, where, settlement.outcome, now, options);
      // Every answered line was billed, whether a call of this run still waits for it or not.
      if (delivered.cost) costs.push(delivered.cost);
      if (settlement.outcome.type === 'success') {
        answered += 1;
        settlements.push({ digest: member.digest, kind: 'answered', delivered });
      } else {
        failed += 1;
        settlements.push({ digest: member.digest, kind: 'forget' });
      }
      if (pending) deliveries.push([pending, delivered]);
    }
    // Recorded before anyone sees it: a process killed right after delivering finds the answers in the store.
    store.settle(this.submissionId, settlements);
    const retried = settlements.length - answered - failed;
    const { spending } = this.context;
    spending.totals = costs.reduce(addCost, spending.totals);
    spending.batches += 1;
    this.context.log(
      `batch ${this.batchId} (${this.label}) ended ${poll.status}: ${answered} answered, ${failed} failed` +
        (retried > 0 ? `, ${retried} to retry` : '') +
        describeBatchSpending(costs.reduce(addCost, emptyCostTotals()), spending),
    );
    for (const [pending, delivered] of deliveries) this.context.deliver(pending, delivered);
    for (const [pending, attempt, notBefore] of retries) this.context.requeue(pending, attempt, notBefore);
    this.context.unwatch(this.submissionId);
  }
}
