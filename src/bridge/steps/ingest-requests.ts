import type { Operation } from '@langchain/langgraph';
import type { Outcome } from '../../backends/types.js';
import { BridgeInputError, measurePayload, oversizeRefusal, requestKeyOf } from '../../core/index.js';
import { handOverSchema, type HandOver } from '../../protocol/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import { storePageSize } from '../bridge-store.js';
import { queueEntryOf, type RequestRecord } from '../store-records.js';
import { queueDelivery } from './queue-delivery.js';
import { verifyHandOvers } from './verify-hand-overs.js';

/** Inbox items taken in by one run; a larger backlog is taken by the runs after it (every run drains the inbox). */
const inboxItemsPerRun = 50_000;

/**
 * Queues the requests of a hand_over event and those waiting in the inbox (handed over through the store by nodes on
 * this server; every run takes them in, so that a tick or a cancel sees them too). A request already known (the same
 * interrupt handed over again because its node ran again) is skipped: every interrupt is submitted once per attempt.
 * Requests that cannot be read are rejected: with an error outcome when they say which thread waits for them,
 * otherwise only in the run's error.
 */
export async function ingestRequests(
  context: BridgeRunContext,
  incoming: unknown[],
  options: { wake?: boolean } = {},
): Promise<void> {
  const problems: string[] = [];
  const accepted: Array<HandOver & { bytes: number }> = [];
  const rejectedButAddressable: Array<{ request: HandOver; refusal: Outcome }> = [];

  const consider = (candidate: unknown, where: string) => {
    const parsed = handOverSchema.safeParse(candidate);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`)
        .join('; ');
      problems.push(`${where}: ${detail}`);
      return;
    }
    const { bytes, digest } = measurePayload(parsed.data.payload);
    // The digest is what the waiting call checks its answer against: one that is not this payload's would let a
    // hand-over bill the operator for a payload of its own and answer someone else's call with it.
    if (digest !== parsed.data.digest) {
      problems.push(`${where}: digest does not match the payload (refused; nothing queued or submitted)`);
      return;
    }
    const refusal = oversizeRefusal(bytes, context.options.maxRequestBytes, 'bridge');
    if (refusal) {
      problems.push(`${where}: ${refusal.message}`);
      rejectedButAddressable.push({ request: parsed.data, refusal });
      return;
    }
    accepted.push({ ...parsed.data, bytes });
  };
  incoming.forEach((candidate, index) => consider(candidate, `requests[${index}]`));
  // A bad event is refused before anything changes; the inbox then waits for the next run.
  if (incoming.length > 0 && accepted.length === 0 && rejectedButAddressable.length === 0) {
    throw new BridgeInputError(`The hand_over event has no valid request:\n${problems.join('\n')}`);
  }
  // The inbox run the marker announced clears it, first: a node that still sees it after putting its request knows
  // this read comes later. Other runs (ticks, cancels) read the inbox too but leave the marker to the run it names,
  // which is still coming: clearing it would make the next node create a second inbox run.
  if (options.wake) await context.store.run([context.store.clearWake(context.threadId)]);
  const inbox = await context.store.listInbox(context.threadId, inboxItemsPerRun);
  // A backlog larger than one run takes is taken by a run soon after (schedule-tick.ts), not by a request's wake. So
  // is an inbox read in several pages: a store whose order shifts between pages may have hidden an item from this run.
  context.inboxBacklog = inbox.length >= inboxItemsPerRun || inbox.length > storePageSize;
  for (const item of inbox) consider(item.value, `inbox ${item.key}`);
  if (accepted.length === 0 && rejectedButAddressable.length === 0 && problems.length === 0) return;

  // Only a request its thread is waiting for goes further; one whose thread is still running stays in the inbox.
  const verified = await verifyHandOvers(context, [
    ...accepted,
    ...rejectedButAddressable.map(({ request }) => request),
  ]);
  const byKey = new Map<string, HandOver & { bytes: number }>();
  for (const request of accepted.filter((candidate) => verified.passed.has(candidate))) {
    const key = requestKeyOf(request.threadId, request.interruptId);
    if (byKey.has(key)) context.state.totals.duplicates += 1;
    else byKey.set(key, request);
  }
  const known = await context.store.getRequests([...byKey.keys()]);
  const now = context.now();
  const operations: Operation[] = [];
  const totals = context.state.totals;
  let sequence = 0;
  for (const [requestKey, request] of byKey) {
    sequence += 1;
    const existing = known.get(requestKey);
    if (existing) {
      totals.duplicates += 1;
      // The store has no transactions: a run that died between writing a record and its queue entry left the inbox
      // item behind, and taking it in again puts the entry back (a no-op when it is there).
      if (existing.status === 'queued') operations.push(context.store.putQueueEntry(queueEntryOf(existing)));
      continue;
    }
    const queuedAt = Math.min(request.queuedAt ?? now, now);
    const record: RequestRecord = {
      requestKey,
      threadId: request.threadId,
      assistantId: request.assistantId,
      interruptId: request.interruptId,
      digest: request.digest,
      payload: request.payload,
      bytes: request.bytes,
      queuedAt,
      attempt: 1,
      sequence,
      status: 'queued',
      batchId: null,
      customId: null,
      submittedAt: null,
    };
    operations.push(context.store.putRequest(record), context.store.putQueueEntry(queueEntryOf(record)));
    totals.received += 1;
    context.state.queued += 1;
    context.state.queuedBytes += request.bytes;
    context.state.oldestQueuedAt = Math.min(context.state.oldestQueuedAt ?? queuedAt, queuedAt);
  }
  await context.store.run(operations);

  for (const { request, refusal } of rejectedButAddressable) {
    const requestKey = requestKeyOf(request.threadId, request.interruptId);
    if (known.has(requestKey) || !verified.passed.has(request)) continue;
    totals.rejected += 1;
    await queueDelivery(
      context,
      {
        requestKey,
        threadId: request.threadId,
        assistantId: request.assistantId,
        interruptId: request.interruptId,
        digest: request.digest,
        bytes: 0,
        queuedAt: now,
        attempt: 0,
        status: 'queued',
        batchId: null,
        customId: null,
        submittedAt: null,
      },
      refusal,
    );
  }
  totals.rejected += problems.length - rejectedButAddressable.length;
  if (problems.length > 0)
    recordError(context, `Rejected ${problems.length} request(s): ${problems.slice(0, 5).join(' | ')}`);
  // Last: an inbox item leaves only once its request is queued or answered, so a run that dies half-way loses none.
  const taken = inbox.filter((item) => !verified.keepInInbox.has(item.key));
  await context.store.run(taken.map((item) => context.store.deleteInboxItem(context.threadId, item.key)));
}
