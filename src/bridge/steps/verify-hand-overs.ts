import type { Operation } from '@langchain/langgraph';
import { errorMessage, requestKeyOf } from '../../core/index.js';
import {
  bridgeNamespace,
  bridgeThreadId,
  inboxNamespace,
  type HandOver,
  type WaitingDescriptor,
} from '../../protocol/index.js';
import { recordError, type BridgeRunContext } from '../bridge-run-context.js';

/**
 * A hand-over says which interrupt of which thread waits for its payload, but anyone who can start a run on the bridge
 * graph (or write its inbox) can send one. Before a request is queued, the bridge reads the named thread through the
 * LangGraph API and accepts the request only when the thread is waiting on that interrupt, for this bridge, with the
 * same digest: otherwise the operator would be billed for someone else's payload and the waiting call answered with
 * its result.
 *
 * A node hands over before its run ends, and the interrupt is in the thread's state only once the whole step has been
 * committed (a sibling task can keep it running for a long time). A request whose thread is still running without the
 * interrupt is therefore kept in the inbox and checked again later, with a growing delay, up to `maxChecks` times.
 */

/** Thread ids per search (the API takes up to 1,000; the dev server compares each thread it holds with each id). */
const threadsPerRead = 100;
const readConcurrency = 4;
/** Checks of a request whose thread is still running, before it is refused (~18 min with the delays below). */
export const maxChecks = 40;
const firstRecheckMs = 1_000;
const longestRecheckMs = 30_000;

/** What the bridge can see of a waiting thread: its status and its pending interrupts (id → value). */
export type ThreadReading =
  | { kind: 'found'; status: string; interrupts: Map<string, unknown> }
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string };

export type Verdict = { verdict: 'ok' } | { verdict: 'refuse' | 'defer'; reason: string };

/** A request still waiting for its thread's interrupt, kept next to its inbox item under the same key. */
interface Deferral {
  checks: number;
  nextCheckAt: number;
}

/**
 * Reads the status and pending interrupts of each thread: one search per `threadsPerRead` threads, a few at a time.
 * Only the fields needed are asked for (a thread's values can be large).
 */
export async function readWaitingThreads(
  context: BridgeRunContext,
  threadIds: string[],
): Promise<Map<string, ThreadReading>> {
  const readings = new Map<string, ThreadReading>();
  const chunks: string[][] = [];
  for (let start = 0; start < threadIds.length; start += threadsPerRead)
    chunks.push(threadIds.slice(start, start + threadsPerRead));
  let next = 0;
  const readChunk = async (ids: string[]) => {
    try {
      const found = await context.client.threads.search({
        ids,
        limit: ids.length,
        select: ['thread_id', 'status', 'interrupts'],
      });
      // A server that ignored `ids` would answer with other threads: taking their absence as "no such thread" would
      // refuse real requests, so such an answer is not trusted.
      const wanted = new Set(ids);
      if (found.some((thread) => !wanted.has(thread.thread_id))) throw new Error('the thread search ignored `ids`');
      for (const thread of found) {
        const interrupts = new Map<string, unknown>();
        for (const list of Object.values(thread.interrupts ?? {}))
          for (const pending of list) if (pending.id) interrupts.set(pending.id, pending.value);
        readings.set(thread.thread_id, { kind: 'found', status: thread.status, interrupts });
      }
      for (const id of ids) if (!readings.has(id)) readings.set(id, { kind: 'missing' });
    } catch (error) {
      for (const id of ids) readings.set(id, { kind: 'unreadable', reason: errorMessage(error) });
    }
  };
  const workers = Array.from({ length: Math.min(readConcurrency, chunks.length) }, async () => {
    while (next < chunks.length) await readChunk(chunks[next++]);
  });
  await Promise.all(workers);
  await readRunningSteps(context, readings);
  return readings;
}

/**
 * A thread still running its step lists the step's interrupts only once the whole step has committed, which a slow
 * sibling task (a tool call, a long node) can put off for minutes. Its state's pending tasks show an interrupt as soon
 * as it is raised: for each busy thread, one state read adds them, so that a fan-out's requests are not held back
 * until its slowest branch ends. A read that fails leaves the thread to the re-checks.
 */
async function readRunningSteps(context: BridgeRunContext, readings: Map<string, ThreadReading>): Promise<void> {
  const busy = [...readings].filter(([, reading]) => reading.kind === 'found' && reading.status === 'busy');
  let next = 0;
  const workers = Array.from({ length: Math.min(readConcurrency, busy.length) }, async () => {
    while (next < busy.length) {
      const [threadId, reading] = busy[next++];
      if (reading.kind !== 'found') continue;
      try {
        const state = await context.client.threads.getState(threadId);
        for (const task of state.tasks ?? [])
          for (const pending of task.interrupts ?? [])
            if (pending.id) reading.interrupts.set(pending.id, pending.value);
      } catch {
        // Left to the re-checks.
      }
    }
  });
  await Promise.all(workers);
}

/** Whether `request` answers an interrupt its thread is waiting on, for this bridge, with the same payload. */
export function judgeHandOver(
  context: Pick<BridgeRunContext, 'bridge' | 'threadId'>,
  reading: ThreadReading | undefined,
  request: Pick<HandOver, 'interruptId' | 'digest'>,
  aliases: ReadonlySet<string> = new Set(),
): Verdict {
  if (!reading || reading.kind === 'unreadable')
    return { verdict: 'defer', reason: `its thread could not be read (${reading?.reason ?? 'not read'})` };
  if (reading.kind === 'missing') return { verdict: 'refuse', reason: 'no such thread' };
  const value = reading.interrupts.get(request.interruptId) as Partial<WaitingDescriptor> | undefined;
  if (value !== undefined) {
    if (value?.kind !== 'batch-bridge/request')
      return { verdict: 'refuse', reason: 'the interrupt is not a batch-bridge request' };
    // The node names the bridge by the assistant id it hands over to, whose thread this is; or by its graph id.
    const forThisBridge =
      typeof value.bridge === 'string' &&
      (value.bridge === context.bridge ||
        bridgeThreadId(value.bridge) === context.threadId ||
        aliases.has(value.bridge));
    if (!forThisBridge) return { verdict: 'refuse', reason: `the interrupt waits for bridge '${value.bridge}'` };
    if (value.digest !== request.digest)
      return { verdict: 'refuse', reason: 'the interrupt waits for a different payload (its digest differs)' };
    return { verdict: 'ok' };
  }
  if (reading.status === 'busy')
    return { verdict: 'defer', reason: 'its thread is still running and has not committed the interrupt yet' };
  return {
    verdict: 'refuse',
    reason: 'its thread is not waiting on this interrupt (answered already, or never raised)',
  };
}

function recheckDelay(checks: number): number {
  return Math.min(longestRecheckMs, firstRecheckMs * 2 ** Math.max(0, checks - 1));
}

/**
 * Checks the requests about to be queued (or refused with an error outcome). Requests the bridge already knows pass
 * (the caller skips them as duplicates); they were checked when they arrived. Returns the requests that passed, by
 * identity (a forged and a real hand-over can share a key), and the inbox keys that must stay for a later check.
 */
export async function verifyHandOvers(
  context: BridgeRunContext,
  candidates: HandOver[],
): Promise<{ passed: Set<HandOver>; keepInInbox: Set<string> }> {
  const passed = new Set<HandOver>();
  const keepInInbox = new Set<string>();
  if (candidates.length === 0) return { passed, keepInInbox };
  const now = context.now();
  // A deferred request is kept under a key of its own digest, so that a forged one cannot take the real one's place.
  const inboxKey = (request: HandOver) =>
    `${requestKeyOf(request.threadId, request.interruptId)}-${request.digest.slice(0, 16)}`;
  const deferralNamespace = bridgeNamespace(context.bridge, 'unverified');
  const known = await context.store.getRequests(
    candidates.map((request) => requestKeyOf(request.threadId, request.interruptId)),
  );
  // One listing, not a read per request: few requests wait for their thread at any time.
  const deferrals = new Map(
    (await context.store.listUnverified(Number.MAX_SAFE_INTEGER)).map((item) => [item.key, item.value as Deferral]),
  );

  const toCheck: Array<{ request: HandOver; checks: number }> = [];
  const refusals: string[] = [];
  const refuse = (request: HandOver, why: string) =>
    refusals.push(`thread ${request.threadId} interrupt ${request.interruptId}: ${why}`);
  for (const request of candidates) {
    const record = known.get(requestKeyOf(request.threadId, request.interruptId));
    if (record) {
      // The same request again is a duplicate; another payload for an interrupt already taken in is a forgery (or a
      // node that changed), refused here so that it shows.
      if (record.digest === request.digest) passed.add(request);
      else refuse(request, 'the bridge already holds a different payload for this interrupt');
      continue;
    }
    const deferral = deferrals.get(inboxKey(request));
    if (deferral && deferral.nextCheckAt > now) {
      keepInInbox.add(inboxKey(request));
      context.recheckAt = Math.min(context.recheckAt ?? Infinity, deferral.nextCheckAt);
      continue;
    }
    toCheck.push({ request, checks: (deferral?.checks ?? 0) + 1 });
  }
  const readings = await readWaitingThreads(context, [...new Set(toCheck.map(({ request }) => request.threadId))]);
  const aliases = await aliasesOf(context, readings);
  const operations: Operation[] = [];
  for (const { request, checks } of toCheck) {
    const key = inboxKey(request);
    const judged = judgeHandOver(context, readings.get(request.threadId), request, aliases);
    if (judged.verdict === 'defer' && checks < maxChecks) {
      const nextCheckAt = now + recheckDelay(checks);
      keepInInbox.add(key);
      context.recheckAt = Math.min(context.recheckAt ?? Infinity, nextCheckAt);
      operations.push(
        { namespace: inboxNamespace(context.threadId), key, value: { ...request } },
        { namespace: deferralNamespace, key, value: { checks, nextCheckAt } satisfies Deferral },
      );
      continue;
    }
    if (checks > 1) operations.push({ namespace: deferralNamespace, key, value: null });
    if (judged.verdict === 'ok') {
      passed.add(request);
      continue;
    }
    refuse(request, judged.verdict === 'defer' ? `${judged.reason}, after ${checks} checks` : judged.reason);
  }
  await context.store.run(operations);
  if (refusals.length > 0) {
    context.state.totals.rejected += refusals.length;
    recordError(
      context,
      `Refused ${refusals.length} hand-over(s) that no waiting interrupt matches (nothing queued or submitted): ${refusals.slice(0, 5).join(' | ')}`,
    );
  }
  return { passed, keepInInbox };
}

/**
 * The other names of this bridge that waiting interrupts use: a node may address the bridge by an assistant's id, whose
 * runs the bridge forwards to its graph id's thread (forward-to-canonical.ts). Each such name is looked up once per
 * run; one that is not an assistant of this graph stays a stranger.
 */
async function aliasesOf(context: BridgeRunContext, readings: Map<string, ThreadReading>): Promise<Set<string>> {
  const names = new Set<string>();
  for (const reading of readings.values()) {
    if (reading.kind !== 'found') continue;
    for (const value of reading.interrupts.values()) {
      const bridge = (value as Partial<WaitingDescriptor> | undefined)?.bridge;
      if (typeof bridge === 'string' && bridge !== context.bridge) names.add(bridge);
    }
  }
  const aliases = new Set<string>();
  for (const name of names) {
    try {
      const assistant = await context.client.assistants.get(name);
      if (assistant.graph_id === context.bridge) aliases.add(name);
    } catch {
      // Not an assistant, or not readable now: the request is judged without it.
    }
  }
  return aliases;
}
