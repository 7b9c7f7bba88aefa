import { recordError, type BridgeRunContext } from '../bridge-run-context.js';
import { recountQueue } from './flush-queue.js';
import { judgeHandOver, readWaitingThreads } from './verify-hand-overs.js';

/** Queued requests checked per reconciliation (one thread search per 100 threads). */
const maxChecked = 10_000;

/**
 * A crash can keep a bridge's store while losing the threads its requests were for (on the dev server the store and
 * the threads are saved to different files): submitting such a request would bill an answer nobody receives. At a
 * reconciliation, every queued request's thread is read again; one whose thread is gone, or no longer waits on that
 * interrupt for this bridge, is forgotten (not answered: nobody waits) and reported. A thread still running, or one
 * that cannot be read now, keeps its request. The record goes too, so that a thread that raises the interrupt again
 * later hands it over as new.
 */
export async function dropUnwaitedRequests(context: BridgeRunContext): Promise<void> {
  const { store } = context;
  const entries = await store.listQueue(maxChecked);
  if (entries.length === 0) return;
  const records = await store.getRequests(entries.map((entry) => entry.requestKey));
  const queued = [...records.values()].filter((record) => record.status === 'queued');
  const readings = await readWaitingThreads(context, [...new Set(queued.map((record) => record.threadId))]);
  const dropped = queued.flatMap((record) => {
    const judged = judgeHandOver(context, readings.get(record.threadId), record);
    return judged.verdict === 'refuse' ? [{ record, reason: judged.reason }] : [];
  });
  if (dropped.length === 0) return;
  await store.run(dropped.map(({ record }) => store.deleteQueueEntry(record.requestKey)));
  await store.run(dropped.map(({ record }) => store.deleteRequest(record.requestKey)));
  await recountQueue(context);
  const message =
    `Dropped ${dropped.length} queued request(s) whose thread no longer waits for them (lost with the server's data, ` +
    `e.g. a crash); nothing was submitted for them: ${dropped
      .slice(0, 5)
      .map(({ record, reason }) => `thread ${record.threadId} (${reason})`)
      .join(' | ')}`;
  recordError(context, message);
  console.warn(`[batch-bridge] ${context.bridge}: ${message}`);
}
