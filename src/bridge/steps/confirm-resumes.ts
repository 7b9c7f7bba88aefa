import type { BridgeRunContext } from '../bridge-run-context.js';
import { isNotFound } from '../../core/index.js';
import type { DeliveryItem, DeliveryLedger } from './delivery-ledger.js';
import { inTurns } from './in-turns.js';

/** Run statuses of a resume that may yet be taken. */
const unfinished = new Set(['pending', 'running']);

/**
 * Looks at resume runs accepted a while ago. A run that succeeded delivered its outcomes. A run still queued or
 * running is looked at again later. A run that ended otherwise (cancelled before it ran, failed, gone with a restart)
 * may not have answered: its outcomes are sent again if the thread still waits on their interrupts. Sending again is
 * safe because resumes are strict: an id the thread answered before is refused, never taken as another answer.
 *
 * The thread's status is not used: on the dev server, cancelling a queued run marks its thread idle while another run
 * of the thread is still running (FACTS.md).
 *
 * Cost: one run read per resume run due for a look (each at most once per `pollIntervalMs`); a state read and a run
 * list only for threads whose run ended without succeeding.
 */
export async function confirmResumes(
  context: BridgeRunContext,
  items: DeliveryItem[],
  ledger: DeliveryLedger,
): Promise<void> {
  const byRun = new Map<string, DeliveryItem[]>();
  for (const item of items) {
    const runItems = byRun.get(item.entry.runId!);
    if (runItems) runItems.push(item);
    else byRun.set(item.entry.runId!, [item]);
  }
  // One run after another, as before, with the event loop let turn between them.
  await inTurns([...byRun], 1, async ([runId, runItems]) => {
    const threadId = runItems[0].entry.threadId;
    let status: string;
    try {
      status = (await context.client.runs.get(threadId, runId)).status;
    } catch (error) {
      // A run that is gone (a restart that lost the server's queue, a rollback) is treated as one that never ran.
      if (!isNotFound(error)) return ledger.later(runItems);
      status = 'gone';
    }
    if (status === 'success') ledger.delivered(runItems);
    else if (unfinished.has(status)) ledger.later(runItems);
    else await settleEndedRun(context, threadId, runId, status, runItems, ledger);
  });
}

/** A resume run ended without succeeding: what its thread still waits on is sent again. */
async function settleEndedRun(
  context: BridgeRunContext,
  threadId: string,
  runId: string,
  status: string,
  items: DeliveryItem[],
  ledger: DeliveryLedger,
): Promise<void> {
  const waitingOn = new Set<string>();
  try {
    // A state's tasks list an interrupt as soon as it is raised, before a step that is still running commits.
    const state = await context.client.threads.getState(threadId);
    for (const task of state.tasks ?? []) for (const pending of task.interrupts ?? []) waitingOn.add(pending.id!);
  } catch (error) {
    if (isNotFound(error)) ledger.dropped(items, threadId);
    else ledger.later(items);
    return;
  }
  const pending = items.filter(({ entry }) => waitingOn.has(entry.interruptId));
  const notWaiting = items.filter(({ entry }) => !waitingOn.has(entry.interruptId));
  if (pending.length > 0)
    ledger.failed(pending, threadId, `resume run ${runId} ended '${status}' without answering`, { wasSent: true });
  if (notWaiting.length === 0) return;
  // Not waited on: taken (the run failed after answering), unless another run is mid-way and has not shown it yet.
  let active = true;
  try {
    const runs = await context.client.runs.list(threadId, { limit: 10 });
    active = runs.some((run) => unfinished.has(run.status));
  } catch {
    // Looked at again later.
  }
  if (active) ledger.later(notWaiting);
  else ledger.delivered(notWaiting);
}
