import type { Operation } from '@langchain/langgraph';
import { errorMessage } from '../../core/index.js';
import { strictResumeKey } from '../../protocol/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import type { OutboxEntry, RequestRecord } from '../bridge-store.js';

/** Longest stretch of resume creation without letting the server's event loop turn. */
const yieldEveryMs = 50;

/**
 * Resumes every waiting thread that has outcomes in the outbox: one run per thread, its interrupts answered by id.
 * The run is enqueued behind whatever the thread is doing. It asks for strict resume, so that an id answered
 * before (a resume sent twice after a crash) is refused instead of being taken as the answer to the thread's next
 * interrupt.
 */
export async function deliverOutcomes(context: BridgeRunContext): Promise<void> {
  const outbox = await context.store.listOutbox(Number.MAX_SAFE_INTEGER);
  if (outbox.length === 0) {
    context.state.undelivered = 0;
    return;
  }
  const records = await context.store.getRequests(outbox.map((entry) => entry.requestKey));
  const byThread = new Map<string, Array<{ entry: OutboxEntry; record: RequestRecord }>>();
  const operations: Operation[] = [];
  for (const entry of outbox) {
    const record = records.get(entry.requestKey);
    if (!record?.delivery) {
      operations.push(context.store.deleteOutbox(entry.requestKey));
      continue;
    }
    const list = byThread.get(entry.threadId) ?? [];
    list.push({ entry, record });
    byThread.set(entry.threadId, list);
  }

  let remaining = 0;
  const threads = [...byThread.entries()];
  const failures: string[] = [];
  const deliverThread = async ([threadId, items]: (typeof threads)[number]) => {
    const resume = Object.fromEntries(items.map(({ entry, record }) => [entry.interruptId, record.delivery!]));
    try {
      await context.client.runs.create(threadId, items[0].entry.assistantId, {
        command: { resume },
        multitaskStrategy: 'enqueue',
        config: { configurable: { [strictResumeKey]: true } },
      });
    } catch (error) {
      const message = errorMessage(error);
      // A deleted thread waits for nothing any more; anything else (a busy or restarting server) is tried again.
      const gone = /\b404\b|not found/i.test(message);
      for (const { entry } of items) {
        if (gone) {
          operations.push(context.store.deleteOutbox(entry.requestKey));
        } else {
          operations.push(context.store.putOutbox({ ...entry, attempts: entry.attempts + 1 }));
          remaining += 1;
        }
      }
      failures.push(`thread ${threadId}: ${message}`);
      return;
    }
    for (const { entry, record } of items) {
      const { delivery: _delivery, payload: _payload, ...slim } = record;
      operations.push(
        context.store.putRequest({ ...slim, status: 'delivered' }),
        context.store.deleteOutbox(entry.requestKey),
      );
    }
    context.state.totals.delivered += items.length;
  };

  let next = 0;
  let lastYield = Date.now();
  const workers = Array.from({ length: Math.min(context.options.deliveryConcurrency, threads.length) }, async () => {
    while (next < threads.length) {
      await deliverThread(threads[next++]);
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
  await context.store.run(operations);
  context.state.undelivered = remaining;
  if (failures.length > 0) {
    recordError(
      context,
      `Resuming ${failures.length} thread(s) failed; retried on the next tick: ${failures.slice(0, 3).join(' | ')}`,
    );
  }
}
