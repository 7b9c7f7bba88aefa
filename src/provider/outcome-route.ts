import { isInLangGraphServerRun, takeWaitTurn, waitForOutcome } from '../agent/index.js';
import { BridgeUsageError, type DeliveredOutcome } from '../core/index.js';
import { localBatcherFor, type LocalBatcher } from '../local/index.js';
import type { ParsedBatchOpenAISettings, ResolvedBridgeTarget } from './batch-openai-settings.js';
import type { OpenAIPayload } from '../backends/openai/index.js';

export type DeliveryMode = 'bridge' | 'local';

/** How one call will wait, decided when it starts. */
export interface RouteTicket {
  mode: DeliveryMode;
  /** Bridge mode: the call's place among the calls of its task (see takeWaitTurn). */
  turn?: ReturnType<typeof takeWaitTurn>;
}

export interface RoutedOutcome {
  delivered: DeliveredOutcome;
  mode: DeliveryMode;
  /** Local mode: answered from the store without any API call. */
  fromCache: boolean;
}

/**
 * The mode switch: a call inside a LangGraph server run pauses its thread for the bridge; any other call waits in
 * this process for a batch it submits itself. Both end with the same DeliveredOutcome, which the models replay alike.
 */
export class OutcomeRoute {
  private batcher: LocalBatcher | undefined;

  constructor(
    private readonly settings: ParsedBatchOpenAISettings,
    private readonly target: ResolvedBridgeTarget,
  ) {}

  /**
   * Starts a call: its mode (with `mode: 'bridge'` outside a server run, the error that says why not) and, in bridge
   * mode, its wait turn. Call it synchronously, before the call's first await, so that parallel calls in one node
   * wait in the order they were made.
   */
  start(): RouteTicket {
    const mode = this.modeNow();
    return mode === 'bridge' ? { mode, turn: takeWaitTurn() } : { mode };
  }

  /** The mode of a call made now; with `mode: 'bridge'` outside a server run, the error that says why not. */
  modeNow(): DeliveryMode {
    const mode = this.preferredMode();
    if (mode === 'bridge' && !isInLangGraphServerRun()) throw notInServerRun();
    return mode;
  }

  /** The mode a call made now would take, without throwing. */
  preferredMode(): DeliveryMode {
    const mode = this.settings.mode ?? 'auto';
    if (mode !== 'auto') return mode;
    return isInLangGraphServerRun() ? 'bridge' : 'local';
  }

  async deliver(
    ticket: RouteTicket,
    request: OpenAIPayload,
    options: { description: string; abortSignal?: AbortSignal },
  ): Promise<RoutedOutcome> {
    const { mode } = ticket;
    if (mode === 'bridge') {
      const delivered = await waitForOutcome(request, {
        bridge: this.target.bridge,
        apiUrl: this.target.apiUrl,
        apiKey: this.target.apiKey,
        description: options.description,
        turn: ticket.turn,
      });
      return { delivered, mode, fromCache: false };
    }
    const { delivered, fromCache } = await this.localBatcher().request(request, options.abortSignal);
    return { delivered, mode, fromCache };
  }

  private localBatcher(): LocalBatcher {
    const { apiKey, baseURL, organization, project, headers, fetch } = this.settings;
    this.batcher ??= localBatcherFor({ apiKey, baseURL, organization, project, headers, fetch }, this.settings.local);
    return this.batcher;
  }
}

export function notInServerRun(): BridgeUsageError {
  return new BridgeUsageError(
    "This batchOpenAI provider has mode: 'bridge', which answers through the Batch API by pausing a LangGraph thread, so it works inside a node of a graph " +
      'running on a LangGraph server (langgraphjs dev or the LangGraph Platform) with the bridge graph deployed. This call was made outside such a run; ' +
      "use mode: 'auto' (the default) or 'local' to batch from this process instead.",
  );
}
