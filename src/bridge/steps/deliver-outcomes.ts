import { earliest, errorMessage, isNotFound } from '../../core/index.js';
import { strictResumeKey } from '../../protocol/index.js';
import type { BridgeRunContext } from '../bridge-run-context.js';
import type { OutboxEntry } from '../store-records.js';
import { confirmResumes } from './confirm-resumes.js';
import { DeliveryLedger, type DeliveryItem } from './delivery-ledger.js';
import { inTurns } from './in-turns.js';

/**
 * Resumes every waiting thread that has outcomes in the outbox: one run per thread, its interrupts answered by id.
 * The run is enqueued behind whatever the thread is doing. It asks for strict resume, so that an id answered
 * before (a resume sent twice after a crash) is refused instead of being taken as the answer to the thread's next
 * interrupt. An outcome leaves the outbox only once its thread is seen to have taken it (confirm-resumes.ts).
 */
export async function deliverOutcomes(context: BridgeRunContext): Promise<void> {
  const outbox = await context.store.listOutbox(Number.MAX_SAFE_INTEGER);
  const ledger = new DeliveryLedger(context);
  const now = context.now();
  // Only entries due now are looked at: the others (resumes sent moments ago, attempts backing off) need no record.
  const due = outbox.filter((entry) => (entry.nextCheckAt ?? 0) <= now);
  const records = due.length > 0 ? await context.store.getRequests(due.map((entry) => entry.requestKey)) : new Map();
  const toSend = new Map<string, DeliveryItem[]>();
  const toConfirm: DeliveryItem[] = [];
  for (const entry of due) {
    const record = records.get(entry.requestKey);
    if (!record?.delivery) {
      ledger.remove(entry.requestKey);
      continue;
    }
    if (entry.runId) toConfirm.push({ entry, record });
    else {
      const items = toSend.get(entry.threadId);
      if (items) items.push({ entry, record });
      else toSend.set(entry.threadId, [{ entry, record }]);
    }
  }

  await confirmResumes(context, toConfirm, ledger);
  await sendResumes(context, [...toSend.entries()], ledger);
  await context.store.run(ledger.operations);
  ledger.report();
  countOutbox(context, outbox, ledger);
}

async function sendResumes(
  context: BridgeRunContext,
  threads: Array<[string, DeliveryItem[]]>,
  ledger: DeliveryLedger,
): Promise<void> {
  const sendThread = async ([threadId, items]: [string, DeliveryItem[]]) => {
    const resume = Object.fromEntries(items.map(({ entry, record }) => [entry.interruptId, record.delivery!]));
    try {
      const run = await context.client.runs.create(threadId, items[0].entry.assistantId, {
        command: { resume },
        multitaskStrategy: 'enqueue',
        config: { configurable: { [strictResumeKey]: true } },
      });
      ledger.sent(items, run.run_id);
    } catch (error) {
      // Only the thread itself can say it is gone: a 404 from the run's creation might be the assistant's.
      if (await threadIsGone(context, threadId)) ledger.dropped(items, threadId);
      else
        ledger.failed(items, threadId, `the resume run was not accepted: ${errorMessage(error)}`, { wasSent: false });
    }
  };

  await inTurns(threads, context.options.deliveryConcurrency, sendThread);
}

async function threadIsGone(context: BridgeRunContext, threadId: string): Promise<boolean> {
  try {
    await context.client.threads.get(threadId);
    return false;
  } catch (error) {
    return isNotFound(error);
  }
}

/** What the status shows, and when the next tick is due for the outbox, after this run's changes. */
function countOutbox(context: BridgeRunContext, before: OutboxEntry[], ledger: DeliveryLedger): void {
  const outbox = before
    .map((entry) => (ledger.changed.has(entry.requestKey) ? ledger.changed.get(entry.requestKey) : entry))
    .filter((entry): entry is OutboxEntry => Boolean(entry));
  context.state.undelivered = outbox.filter((entry) => !entry.runId).length;
  context.state.resuming = outbox.length - context.state.undelivered;
  context.deliveryCheckAt = earliest(outbox.map((entry) => entry.nextCheckAt ?? context.now())) ?? undefined;
}
