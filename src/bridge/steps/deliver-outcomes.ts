import { errorMessage } from '../../core/index.js';
import { strictResumeKey } from '../../protocol/index.js';
import type { BridgeRunContext } from '../bridge-run-context.js';
import { isNotFound } from '../not-found.js';
import type { OutboxEntry } from '../store-records.js';
import { confirmResumes } from './confirm-resumes.js';
import { DeliveryLedger, type DeliveryItem } from './delivery-ledger.js';

/** Longest stretch of resume creation without letting the server's event loop turn. */
const yieldEveryMs = 50;

/**
 * Resumes every waiting thread that has outcomes in the outbox: one run per thread, its interrupts answered by id.
 * The run is enqueued behind whatever the thread is doing. It asks for strict resume, so that an id answered
 * before (a resume sent twice after a crash) is refused instead of being taken as the answer to the thread's next
 * interrupt. An outcome leaves the outbox only once its thread is seen to have taken it (confirm-resumes.ts).
 */
export async function deliverOutcomes(context: BridgeRunContext): Promise<void> {
  const outbox = await context.store.listOutbox(Number.MAX_SAFE_INTEGER);
  const ledger = new DeliveryLedger(context);
  const records =
    outbox.length > 0 ? await context.store.getRequests(outbox.map((entry) => entry.requestKey)) : new Map();
  const now = context.now();
  const toSend = new Map<string, DeliveryItem[]>();
  const toConfirm: DeliveryItem[] = [];
  for (const entry of outbox) {
    const record = records.get(entry.requestKey);
    if (!record?.delivery) {
      ledger.remove(entry.requestKey);
      continue;
    }
    if ((entry.nextCheckAt ?? 0) > now) continue;
    if (entry.runId) toConfirm.push({ entry, record });
    else toSend.set(entry.threadId, [...(toSend.get(entry.threadId) ?? []), { entry, record }]);
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

  let next = 0;
  let lastYield = Date.now();
  const workers = Array.from({ length: Math.min(context.options.deliveryConcurrency, threads.length) }, async () => {
    while (next < threads.length) {
      await sendThread(threads[next++]);
      // Inside the server, runs.create is an in-process call that never waits on I/O: without a turn of the event
      // loop now and then, thousands of resumes would hold the server (every other run, every HTTP request) until
      // the last one is created; on langgraphjs dev each costs a scan of all threads and runs (BENCHMARKS.md).
      if (Date.now() - lastYield >= yieldEveryMs) {
        lastYield = Date.now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  });
  await Promise.all(workers);
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
  const due = outbox.map((entry) => entry.nextCheckAt ?? context.now());
  context.deliveryCheckAt = due.length > 0 ? Math.min(...due) : undefined;
}
