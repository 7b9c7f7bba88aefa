// The bridge's steps on any LangGraph store, against the offline emulator through the real OpenAI backend. Resumes
// and ticks go to a recorder standing in for the LangGraph API (the e2e suites drive the real server); the store and
// the batch API are real.
import { randomBytes, randomUUID } from 'node:crypto';
import type { BaseStore } from '@langchain/langgraph';
import type { Client } from '@langchain/langgraph-sdk';
import { createOpenAIBackend } from '../../../src/backends/openai/index.js';
import { bridgeRunOptionsSchema } from '../../../src/bridge/bridge-options.js';
import type { BridgeRunContext } from '../../../src/bridge/bridge-run-context.js';
import { emptyBridgeState } from '../../../src/bridge/bridge-state.js';
import { BridgeStore } from '../../../src/bridge/bridge-store.js';
import { deliverOutcomes } from '../../../src/bridge/steps/deliver-outcomes.js';
import { ingestRequests } from '../../../src/bridge/steps/ingest-requests.js';
import { pollBatches } from '../../../src/bridge/steps/poll-batches.js';
import { recoverSubmissions } from '../../../src/bridge/steps/recover-submissions.js';
import { digestOf, requestKeyOf } from '../../../src/core/index.js';
import { bridgeThreadId, inboxNamespace, type HandOver, type WaitingDescriptor } from '../../../src/protocol/index.js';
import type { RunningEmulator } from '../../../src/testing/types.js';

export const emulatorKey = 'sk-store-conformance-0123456789';

export interface Resume {
  threadId: string;
  resume: Record<string, { digest: string; outcome: { type: string; code?: string; body?: unknown } }>;
}

export const emptyState = emptyBridgeState;

/**
 * The threads waiting on an interrupt, as the LangGraph API would show them to the bridge's check (one per hand-over
 * made here, in any process of this test file; hand-overs made in other processes are registered with `wait`).
 */
const waitingThreads = new Map<string, Array<{ id: string; value: WaitingDescriptor }>>();

export function markWaiting(request: HandOver, bridge: string): void {
  const value: WaitingDescriptor = { kind: 'batch-bridge/request', bridge, digest: request.digest };
  waitingThreads.set(request.threadId, [{ id: request.interruptId, value }]);
}

/** A bridge run's context over `store`; `resumes` collects what the bridge resumed threads with. */
export function bridgeOn(store: BaseStore, emulator: RunningEmulator, bridge = 'batch_bridge') {
  const resumes: Resume[] = [];
  let runs = 0;
  const client = {
    threads: {
      search: async ({ ids }: { ids?: string[] }) =>
        (ids ?? []).flatMap((threadId) => {
          const interrupts = waitingThreads.get(threadId);
          return interrupts ? [{ thread_id: threadId, status: 'interrupted', interrupts: { task: interrupts } }] : [];
        }),
    },
    runs: {
      create: async (threadId: string, _assistantId: string, payload: { command?: { resume?: Resume['resume'] } }) => {
        if (payload.command?.resume) resumes.push({ threadId, resume: payload.command.resume });
        return { run_id: `run-${(runs += 1)}`, thread_id: threadId, status: 'pending' };
      },
      // Every resume run succeeds.
      get: async (threadId: string, runId: string) => ({ run_id: runId, thread_id: threadId, status: 'success' }),
    },
  } as unknown as Client;
  const context: BridgeRunContext = {
    bridge,
    threadId: bridgeThreadId(bridge),
    store: new BridgeStore(store, bridge),
    backend: createOpenAIBackend({
      apiKey: emulatorKey,
      baseURL: emulator.baseURL,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    }),
    options: bridgeRunOptionsSchema.parse({ maxWaitMs: 0, pollIntervalMs: 1 }),
    client,
    state: emptyState(),
    now: () => Date.now(),
  };
  return { context, resumes };
}

/** What a run does first: the store, not the checkpoint, says which batches exist (a dead run left no checkpoint). */
export async function startRun(context: BridgeRunContext): Promise<void> {
  context.state = emptyState();
  context.state.batches = await context.store.listBatches();
  await ingestRequests(context, []);
  await recoverSubmissions(context);
}

/** Polls until no batch is in flight (bounded), then delivers. */
export async function pollUntilSettled(context: BridgeRunContext, maxPolls = 400): Promise<void> {
  for (let poll = 0; poll < maxPolls && context.state.batches.length > 0; poll += 1) {
    await pollBatches(context, { force: true });
    if (context.state.batches.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (context.state.batches.length > 0) throw new Error('batches still in flight after polling');
  await deliverOutcomes(context);
}

/** Hands a chat request over as a waiting node would: into the bridge thread's inbox in the store. */
export async function handOver(store: BaseStore, bridge: string, content: string, queuedAt = Date.now()) {
  const payload = {
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
  };
  const request: HandOver = {
    threadId: randomUUID(),
    interruptId: randomBytes(16).toString('hex'),
    assistantId: 'agent',
    digest: digestOf(payload),
    payload,
    queuedAt,
  };
  await store.put(inboxNamespace(bridgeThreadId(bridge)), requestKeyOf(request.threadId, request.interruptId), request);
  markWaiting(request, bridge);
  return request;
}
