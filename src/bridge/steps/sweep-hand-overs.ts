import { randomBytes } from 'node:crypto';
import { errorMessage, requestKeyOf } from '../../core/index.js';
import { bridgeThreadId, handOverSchema, type WaitingDescriptor } from '../../protocol/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';

const threadsPerPage = 100;
/** A thread asked again only after this long, at most `maxNudges` times per request. */
const nudgeAgainAfterMs = 10 * 60_000;
const maxNudges = 3;

interface LostHandOver {
  threadId: string;
  assistantId: string | undefined;
  requestKey: string;
}

/**
 * Finds requests whose hand-over was lost: a thread waits on a batch-bridge interrupt for this bridge, but the bridge
 * has no record of the request (the store lost its inbox write, or the request itself). The interrupt value holds
 * the digest, not the body, so the bridge cannot rebuild the request; it asks the thread to run its node again,
 * which builds the same body, raises the same interrupt and hands the request over again. That run is a resume whose
 * map names an id no interrupt has: nothing is answered, and every pending task of the thread runs again (FACTS.md).
 * The request then comes back with the same interrupt id, so its custom id is the one a stray batch may already hold
 * (settle-strays.ts adopts it instead of submitting it).
 *
 * Bounded: `sweepPages` pages of 100 interrupted threads, newest first, only at a reconciliation, and each request
 * asked for at most 3 times, 10 min apart.
 */
export async function sweepLostHandOvers(context: BridgeRunContext): Promise<void> {
  const pages = context.options.reconcile.sweepPages;
  const candidates: LostHandOver[] = [];
  for (let page = 0; page < pages; page += 1) {
    const threads = await context.client.threads.search({
      status: 'interrupted',
      limit: threadsPerPage,
      offset: page * threadsPerPage,
      sortBy: 'updated_at',
      sortOrder: 'desc',
      select: ['thread_id', 'status', 'interrupts', 'metadata'],
    });
    for (const thread of threads) {
      const assistantId = (thread.metadata?.assistant_id ?? thread.metadata?.graph_id) as string | undefined;
      for (const list of Object.values(thread.interrupts ?? {}))
        for (const pending of list) {
          const value = pending.value as Partial<WaitingDescriptor> | undefined;
          if (!pending.id || value?.kind !== 'batch-bridge/request' || typeof value.bridge !== 'string') continue;
          if (value.bridge !== context.bridge && bridgeThreadId(value.bridge) !== context.threadId) continue;
          candidates.push({
            threadId: thread.thread_id,
            assistantId,
            requestKey: requestKeyOf(thread.thread_id, pending.id),
          });
        }
    }
    if (threads.length < threadsPerPage) break;
  }
  if (candidates.length === 0) return;

  const known = await context.store.getRequests(candidates.map((candidate) => candidate.requestKey));
  // A hand-over still in the inbox (waiting for its thread's check) is not lost.
  const inbox = new Set<string>();
  for (const item of await context.store.listInbox(context.threadId, Number.MAX_SAFE_INTEGER)) {
    const parsed = handOverSchema.safeParse(item.value);
    if (parsed.success) inbox.add(requestKeyOf(parsed.data.threadId, parsed.data.interruptId));
  }
  const lost = candidates.filter((candidate) => !known.has(candidate.requestKey) && !inbox.has(candidate.requestKey));
  if (lost.length === 0) return;
  const nudges = await context.store.getNudges(lost.map((candidate) => candidate.requestKey));
  const now = context.now();
  const byThread = new Map<string, { assistantId: string | undefined; keys: string[] }>();
  for (const candidate of lost) {
    const nudge = nudges.get(candidate.requestKey);
    if (nudge && (nudge.count >= maxNudges || now - nudge.at < nudgeAgainAfterMs)) continue;
    const entry = byThread.get(candidate.threadId) ?? { assistantId: candidate.assistantId, keys: [] };
    entry.keys.push(candidate.requestKey);
    byThread.set(candidate.threadId, entry);
  }
  const failures: string[] = [];
  let nudged = 0;
  for (const [threadId, { assistantId, keys }] of byThread) {
    if (!assistantId) {
      failures.push(`thread ${threadId}: it names no assistant to run it`);
      continue;
    }
    try {
      await context.client.runs.create(threadId, assistantId, {
        // No interrupt has this id: nothing is answered; the waiting node runs again and hands its request over.
        command: { resume: { [randomBytes(16).toString('hex')]: { kind: 'batch-bridge/hand-over-again' } } },
        multitaskStrategy: 'enqueue',
      });
      nudged += 1;
      await context.store.run(
        keys.map((key) => context.store.putNudge(key, { at: now, count: (nudges.get(key)?.count ?? 0) + 1 })),
      );
    } catch (error) {
      failures.push(`thread ${threadId}: ${errorMessage(error)}`);
    }
  }
  context.state.reconciliation.nudgedThreads += nudged;
  recordError(
    context,
    `Found ${lost.length} request(s) a waiting thread handed over but the bridge does not know (lost with its store); ` +
      `asked ${nudged} thread(s) to hand them over again` +
      (failures.length > 0 ? `; could not ask ${failures.length}: ${failures.slice(0, 3).join(' | ')}` : '.'),
  );
}
