import { END, START, StateGraph, type CompiledStateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { Client } from '@langchain/langgraph-sdk';
import { simpleBackend, type SimplePoll, type SimpleSubmit } from '../backends/simple/simple-backend.js';
import type { BatchBackend } from '../backends/types.js';
import {
  BridgeInputError,
  BridgeUsageError,
  errorMessage,
  withEnvironmentTimings,
  type PriceOverrides,
  type QueueSnapshot,
} from '../core/index.js';
import { bridgeEventSchema, bridgeThreadId, type BridgeEvent } from '../protocol/index.js';
import { bridgeRunOptionsSchema, type BridgeRunOptions, type ReconcileOptions } from './bridge-options.js';
import { recordError, type BridgeRunContext } from './bridge-run-context.js';
import { BridgeStateAnnotation, emptyReconciliation, type BridgeState } from './bridge-state.js';
import { BridgeStore } from './bridge-store.js';
import { cancelRequests } from './steps/cancel-requests.js';
import { deliverOutcomes } from './steps/deliver-outcomes.js';
import { flushQueue, recountQueue } from './steps/flush-queue.js';
import { forwardToCanonical, isCanonicalThread } from './steps/forward-to-canonical.js';
import { ingestRequests } from './steps/ingest-requests.js';
import { pollBatches } from './steps/poll-batches.js';
import { loadIdentity } from './steps/deployment-identity.js';
import { reconcileBatches } from './steps/reconcile-batches.js';
import { recoverSubmissions } from './steps/recover-submissions.js';
import { scheduleTick } from './steps/schedule-tick.js';
import { tickBridgesAtStartup } from './startup-tick.js';

/** The compiled bridge graph: one node, `bridge`, over the bridge's state. Export it and register it in langgraph.json. */
export type BridgeGraph = CompiledStateGraph<
  typeof BridgeStateAnnotation.State,
  typeof BridgeStateAnnotation.Update,
  'bridge' | typeof START,
  typeof BridgeStateAnnotation.spec,
  typeof BridgeStateAnnotation.spec
>;

export interface CreateBridgeOptions<Payload = unknown> extends Partial<
  Omit<BridgeRunOptions, 'shouldSubmit' | 'prices' | 'reconcile'>
> {
  /**
   * Prices by model id (US dollars per million tokens, synchronous; batch defaults to half) that take precedence over
   * the price catalog for the cost each answer reports, e.g. for a fine-tuned model the catalog does not know.
   */
  prices?: PriceOverrides;
  /** Reconciliation with the batch API after a restart or a gap (bridge-options.ts); every field has a default. */
  reconcile?: Partial<ReconcileOptions>;
  /** The graph's name in LangGraph Studio. */
  name?: string;
  /** A full backend; created on the first run when given as a function (so that settings are read on the server). */
  backend?: BatchBackend<Payload> | (() => BatchBackend<Payload>);
  /** The simplest batch API: submit items, get a batch id back. */
  submit?: SimpleSubmit<Payload>;
  /** The simplest batch API: null while running, the results in submission order when done, an Error when failed. */
  poll?: SimplePoll;
  /** Overrides the size and age rules of the flush policy. */
  shouldSubmit?: (queue: QueueSnapshot) => boolean;
  /** Credentials for the LangGraph API when `apiUrl` points elsewhere (never stored). */
  apiKey?: string;
  /**
   * The LangGraph API client the bridge schedules its ticks and resumes threads with; by default one for `apiUrl`
   * and `apiKey` (the server the bridge runs on). For a bridge run outside a LangGraph server, e.g. in-process.
   */
  client?: Client;
}

/**
 * Creates a bridge graph: export it from langgraph.json and every `wait()` (and every batch-bridge model) addressed to
 * its graph id is queued, submitted in batches, polled, and answered by resuming the waiting thread.
 */
export function createBridge<Payload = unknown>(options: CreateBridgeOptions<Payload>): BridgeGraph {
  const { name, backend: backendOption, submit, poll, apiKey, shouldSubmit, client: givenClient, ...rest } = options;
  // BATCH_BRIDGE_MAX_WAIT_MS / BATCH_BRIDGE_POLL_INTERVAL_MS of the server's environment, when the code sets neither.
  const runOptions: BridgeRunOptions = {
    ...bridgeRunOptionsSchema.parse(withEnvironmentTimings(rest)),
    shouldSubmit,
  };
  if (!backendOption && !(submit && poll)) {
    throw new BridgeUsageError('createBridge needs either a backend or both submit and poll functions.');
  }
  let backend: BatchBackend | undefined;
  const resolveBackend = (): BatchBackend => {
    backend ??= (
      backendOption
        ? typeof backendOption === 'function'
          ? backendOption()
          : backendOption
        : simpleBackend(submit!, poll!)
    ) as BatchBackend;
    return backend;
  };
  // A bridge whose next tick a crash did not save would never run again: the server gives each bridge one at start.
  tickBridgesAtStartup();
  let client: Client | undefined = givenClient;
  // Bridge threads this process has reconciled with the batch API (reconcile-batches.ts): the first run of a process
  // reconciles, as does a run after a gap or after a reconciliation that did not finish.
  const reconciled = new Set<string>();
  const resolveClient = () =>
    (client ??= new Client({
      apiUrl: runOptions.apiUrl,
      apiKey,
      callerOptions: { maxConcurrency: runOptions.deliveryConcurrency + 2, maxRetries: 3 },
    }));

  const runBridge = async (state: BridgeState, config: LangGraphRunnableConfig): Promise<Partial<BridgeState>> => {
    const event = parseEvent(state.event);
    const store = config.store;
    const configurable = config.configurable ?? {};
    const bridge: string | undefined = configurable.graph_id ?? configurable.assistant_id;
    if (!store || !bridge || !configurable.thread_id) {
      throw new BridgeUsageError(
        'The bridge graph runs on a LangGraph server (langgraphjs dev or the LangGraph Platform), which gives it a store and a thread.',
      );
    }
    if (!isCanonicalThread(bridge, configurable.thread_id)) {
      const { forwardedRequests } = await forwardToCanonical({
        store,
        client: resolveClient(),
        bridge,
        assistantId: configurable.assistant_id ?? bridge,
        threadId: configurable.thread_id,
        event,
      });
      return { event: null, lastEvent: { type: 'forwarded', to: bridgeThreadId(bridge), requests: forwardedRequests } };
    }
    const draft: BridgeState = structuredClone({ ...state, event: null });
    const context: BridgeRunContext = {
      bridge,
      threadId: configurable.thread_id,
      store: new BridgeStore(store, bridge),
      // Built when a step first needs it: a server without an API key still takes in, delivers and says why.
      get backend() {
        return resolveBackend();
      },
      options: runOptions,
      client: resolveClient(),
      state: draft,
      now: () => Date.now(),
    };
    if (event.type === 'tick') {
      if (event.at === undefined || event.at === draft.nextTickAt) draft.nextTickAt = null;
      draft.lastTickAt = new Date(context.now()).toISOString();
    }
    const previousRunAt = draft.lastRunAt === null ? null : Date.parse(draft.lastRunAt);
    const reconcileDue =
      !reconciled.has(context.threadId) ||
      (previousRunAt !== null && context.now() - previousRunAt > runOptions.reconcile.gapMs);
    draft.lastRunAt = new Date(context.now()).toISOString();
    draft.reconciliation ??= emptyReconciliation();
    const handedOver = event.type === 'hand_over' || event.type === 'submit' ? event.requests : [];
    const steps: Array<[string, () => Promise<void>]> = [
      // The store is the record: a run that died half-way left its checkpoint behind, not its store writes.
      [
        'reading the store',
        async () => {
          draft.batches = await context.store.listBatches();
          await loadIdentity(context);
          if (event.type === 'tick') await recountQueue(context);
        },
      ],
      // Every run takes in the inbox (requests handed over through the store), so a tick or a cancel sees them too.
      ['taking in requests', () => ingestRequests(context, handedOver, { wake: event.type === 'inbox' })],
      ['recovering submissions', () => recoverSubmissions(context)],
      // Before anything is submitted: a queued request may be a line of a batch the store forgot.
      [
        'reconciling with the batch API',
        async () => {
          if (reconcileDue) reconciled.delete(context.threadId);
          context.holdFlush = true;
          const finished = await reconcileBatches(context, { due: reconcileDue });
          context.holdFlush = !finished;
          if (finished) reconciled.add(context.threadId);
          else context.recheckAt = Math.min(context.recheckAt ?? Infinity, context.now() + runOptions.pollIntervalMs);
        },
      ],
    ];
    if (event.type === 'cancel') steps.push(['cancelling', () => cancelRequests(context, event)]);
    if (event.type === 'tick' || event.type === 'cancel')
      steps.push(['polling', () => pollBatches(context, { force: event.type === 'cancel' })]);
    steps.push(
      ['submitting', () => (context.holdFlush ? Promise.resolve() : flushQueue(context))],
      ['delivering', () => deliverOutcomes(context)],
      ['scheduling', () => scheduleTick(context, configurable.assistant_id ?? bridge)],
    );
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        // Input the bridge cannot read fails the run (nothing was changed); anything else must not keep the other
        // steps from running: outcomes still get delivered and the next tick scheduled.
        if (error instanceof BridgeInputError) throw error;
        recordError(context, `Bridge step '${what}' failed: ${errorMessage(error)}`);
      }
    }
    // The input channel is cleared, so that a later run started without an event is refused instead of repeating this one.
    return { ...draft, event: null, lastEvent: summarizeEvent(event) };
  };

  return new StateGraph(BridgeStateAnnotation)
    .addNode('bridge', runBridge)
    .addEdge(START, 'bridge')
    .addEdge('bridge', END)
    .compile({ name: name ?? 'batch_bridge' });
}

function parseEvent(value: unknown): BridgeEvent {
  if (value === null || value === undefined) {
    throw new BridgeInputError(
      "The bridge's input must be { event: { type: 'hand_over' | 'inbox' | 'tick' | 'cancel', ... } }; no event was given.",
    );
  }
  const parsed = bridgeEventSchema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`)
      .join('; ');
    throw new BridgeInputError(`The bridge cannot read its input event (${detail}). Nothing was queued or changed.`);
  }
  return parsed.data;
}

/** The state keeps what the run was for, not the request bodies it carried. */
function summarizeEvent(event: BridgeEvent) {
  if (event.type === 'hand_over' || event.type === 'submit')
    return { type: event.type, requests: event.requests.length };
  return event;
}
