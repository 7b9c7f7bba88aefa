import { BatchBackendError, type OpenAIBatchPoll } from '../../backends/openai/index.js';
import { errorMessage } from './errors.js';
import type { DeliveredOutcome } from '../bridge-events.js';
import type { BatcherContext } from './batcher-context.js';
import type { Settlement } from './batch-store.js';
import { KeepAliveTimer } from './keep-alive-timer.js';
import { deliveredOutcome, type BatchMember, type PendingRequest } from './pending-request.js';

/** Poll failures are logged the first time and then every this many, not every interval. */
const failureLogEvery = 10;

/**
 * Polls one batch in flight until it is terminal, then settles every line: answers are recorded and delivered,
 * retryable failures go back to the queue, final errors are delivered and forgotten (a rerun asks again).
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
    private readonly members: Map<string, BatchMember>,
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
    let poll: OpenAIBatchPoll;
    try {
      poll = await this.context.api().backend.poll({ batchId: this.batchId, customIds: [...this.members.keys()] });
    } catch (error) {
      this.pollFailed(error);
      return;
    }
    this.failures = 0;
    if (!poll.outcomes) {
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

  private pollFailed(error: unknown): void {
    const retryable = !(error instanceof BatchBackendError) || error.retryable;
    if (retryable) {
      this.failures += 1;
      if (this.failures === 1 || this.failures % failureLogEvery === 0) {
        this.context.log(`polling batch ${this.batchId} failed ${this.failures} time(s); trying again every ${this.context.options.pollIntervalMs} ms: ${errorMessage(error)}`);
      }
      this.next();
      return;
    }
    // A batch the API does not know (another account, deleted) will never answer: a rerun submits its requests again.
    if ((error as { status?: number }).status === 404) this.context.store.forgetSubmission(this.submissionId);
    this.abandon(error);
  }

  private settle(poll: OpenAIBatchPoll): void {
    const { options, store } = this.context;
    const now = Date.now();
    const settlements: Settlement[] = [];
    const deliveries: Array<[PendingRequest, DeliveredOutcome]> = [];
    const retries: Array<[PendingRequest, number, number | null]> = [];
    let answered = 0;
    let failed = 0;
    for (const outcome of poll.outcomes ?? []) {
      const member = this.members.get(outcome.customId);
      if (!member) continue;
      const pending = this.context.pendingFor(member, outcome.customId);
      const where = { batchId: this.batchId, customId: outcome.customId, submittedAt: this.submittedAt };
      if (outcome.type === 'success') {
        answered += 1;
        const delivered = deliveredOutcome(member, where, { type: 'success', statusCode: outcome.statusCode, body: outcome.body }, now);
        settlements.push({ digest: member.digest, kind: 'answered', delivered });
        if (pending) deliveries.push([pending, delivered]);
      } else if (outcome.retryable && member.attempt < options.maxAttempts) {
        const notBefore = outcome.code === 'token_limit_exceeded' ? now + options.backoffMs * 2 ** (member.attempt - 1) : null;
        settlements.push({ digest: member.digest, kind: 'retry', attempt: member.attempt + 1, queuedAt: member.queuedAt });
        if (pending) retries.push([pending, member.attempt + 1, notBefore]);
      } else {
        failed += 1;
        const { customId: _customId, retryable, ...final } = outcome;
        const attempts = member.attempt > 1 || retryable ? ` after ${member.attempt} attempt(s)` : '';
        const delivered = deliveredOutcome(member, where, { ...final, message: `${final.message}${attempts}` }, now);
        settlements.push({ digest: member.digest, kind: 'forget' });
        if (pending) deliveries.push([pending, delivered]);
      }
    }
    // Recorded before anyone sees it: a process killed right after delivering finds the answers in the store.
    store.settle(this.submissionId, settlements);
    this.context.log(
      `batch ${this.batchId} (${this.label}) ended ${poll.status}: ${answered} answered, ${failed} failed` +
        (settlements.length - answered - failed > 0 ? `, ${settlements.length - answered - failed} to retry` : ''),
    );
    for (const [pending, delivered] of deliveries) this.context.deliver(pending, delivered);
    for (const [pending, attempt, notBefore] of retries) this.context.requeue(pending, attempt, notBefore);
    this.context.unwatch(this.submissionId);
  }
}
