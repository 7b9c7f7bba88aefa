import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { Client } from '@langchain/langgraph-sdk';
import { createOpenAIBackend } from '../../src/backends/openai/index.js';
import type { BatchBackend, RequestOutcome } from '../../src/backends/types.js';
import { customIdOf, requestKeyOf } from '../../src/core/index.js';
import type { SeedOutcome, SeedRequest } from './seed-wait.js';

/**
 * The seed's bridge, rebuilt for the baseline row: every request arrives in a run of its own, and the whole queue
 * (then the whole in-flight batch) lives in the graph state, so every run checkpoints all of it again. Otherwise it
 * follows the same policy as the real bridge: flush at `flushAt` requests or after `maxWaitMs`, poll every
 * `pollIntervalMs`, one resume run per thread, ticks by `afterSeconds`.
 */
export interface QueuedRequest extends SeedRequest {
  queuedAt: number;
  customId: string;
}

export interface SeedBatch {
  batchId: string;
  lastPolledAt: number;
  members: QueuedRequest[];
}

export interface SeedTotals {
  received: number;
  submitted: number;
  delivered: number;
}

const lastValue = <T>(initial: () => T) => Annotation<T>({ reducer: (_previous, next) => next, default: initial });

const SeedState = Annotation.Root({
  event: lastValue<unknown>(() => null),
  queue: lastValue<QueuedRequest[]>(() => []),
  inFlight: lastValue<SeedBatch[]>(() => []),
  totals: lastValue<SeedTotals>(() => ({ received: 0, submitted: 0, delivered: 0 })),
  nextTickAt: lastValue<number | null>(() => null),
});
type SeedBridgeState = typeof SeedState.State;

export interface SeedBridgeOptions {
  flushAt: number;
  maxWaitMs: number;
  pollIntervalMs: number;
  deliveryConcurrency?: number;
}

type SeedEvent = { type: 'submit'; request: SeedRequest } | { type: 'tick'; at?: number };

export function createSeedBridge(options: SeedBridgeOptions) {
  let backend: BatchBackend | undefined;
  let client: Client | undefined;

  const run = async (state: SeedBridgeState, config: LangGraphRunnableConfig): Promise<Partial<SeedBridgeState>> => {
    backend ??= createOpenAIBackend({}) as BatchBackend;
    client ??= new Client({
      callerOptions: { maxConcurrency: (options.deliveryConcurrency ?? 16) + 2, maxRetries: 3 },
    });
    const event = state.event as SeedEvent;
    const now = Date.now();
    const queue = [...state.queue];
    let inFlight = [...state.inFlight];
    const totals = { ...state.totals };
    let nextTickAt = state.nextTickAt;
    if (event.type === 'tick' && event.at === nextTickAt) nextTickAt = null;

    if (event.type === 'submit') {
      const { request } = event;
      const known = (item: QueuedRequest) =>
        item.threadId === request.threadId && item.interruptId === request.interruptId;
      if (!queue.some(known) && !inFlight.some((batch) => batch.members.some(known))) {
        queue.push({
          ...request,
          queuedAt: now,
          customId: customIdOf(requestKeyOf(request.threadId, request.interruptId), 1),
        });
        totals.received += 1;
      }
    }

    if (queue.length >= options.flushAt || (queue.length > 0 && now - queue[0].queuedAt >= options.maxWaitMs)) {
      const members = queue.splice(0, queue.length);
      const [group] = backend.plan(members.map((member) => ({ customId: member.customId, payload: member.payload })));
      const { batchId } = await backend.submit(group, { metadata: { batch_bridge: 'seed' } });
      inFlight.push({ batchId, lastPolledAt: Date.now(), members });
      totals.submitted += members.length;
    }

    for (const batch of inFlight) {
      if (event.type === 'submit' || Date.now() - batch.lastPolledAt < options.pollIntervalMs - 250) continue;
      const poll = await backend.poll({
        batchId: batch.batchId,
        customIds: batch.members.map((member) => member.customId),
      });
      batch.lastPolledAt = Date.now();
      if (!poll.terminal) continue;
      totals.delivered += await deliver(client, batch.members, poll.outcomes ?? [], options.deliveryConcurrency ?? 16);
      inFlight = inFlight.filter((other) => other.batchId !== batch.batchId);
    }

    const wanted = queue.length > 0 ? queue[0].queuedAt + options.maxWaitMs : null;
    const polls = inFlight.map((batch) => batch.lastPolledAt + options.pollIntervalMs);
    const desired = Math.min(...[wanted ?? Infinity, ...polls]);
    if (Number.isFinite(desired) && (nextTickAt === null || nextTickAt > desired + 1000)) {
      const at = Math.max(desired, Date.now());
      await client.runs.create(config.configurable!.thread_id, config.configurable!.assistant_id, {
        input: { event: { type: 'tick', at } },
        afterSeconds: Math.ceil((at - Date.now()) / 1000),
        multitaskStrategy: 'enqueue',
      });
      nextTickAt = at;
    }
    return { event: null, queue, inFlight, totals, nextTickAt };
  };

  return new StateGraph(SeedState)
    .addNode('bridge', run)
    .addEdge(START, 'bridge')
    .addEdge('bridge', END)
    .compile({ name: 'seed_bridge' });
}

/** One resume run per thread, answering its interrupts by id. Returns how many outcomes went out. */
async function deliver(
  client: Client,
  members: QueuedRequest[],
  outcomes: RequestOutcome[],
  concurrency: number,
): Promise<number> {
  const byCustomId = new Map(outcomes.map((outcome) => [outcome.customId, outcome]));
  const byThread = new Map<string, QueuedRequest[]>();
  for (const member of members) byThread.set(member.threadId, [...(byThread.get(member.threadId) ?? []), member]);
  const threads = [...byThread.values()];
  let next = 0;
  let delivered = 0;
  const worker = async () => {
    while (next < threads.length) {
      const items = threads[next++];
      const resume: Record<string, SeedOutcome> = {};
      for (const item of items) {
        const outcome = byCustomId.get(item.customId);
        resume[item.interruptId] =
          outcome?.type === 'success'
            ? { digest: item.digest, type: 'success', body: outcome.body }
            : {
                digest: item.digest,
                type: 'error',
                message: outcome?.type === 'error' ? outcome.message : 'no result',
              };
      }
      await client.runs.create(items[0].threadId, items[0].assistantId, {
        command: { resume },
        multitaskStrategy: 'enqueue',
      });
      delivered += items.length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, threads.length) }, worker));
  return delivered;
}
