import { getConfig, getStore, interrupt, isGraphInterrupt } from '@langchain/langgraph';
import {
  BatchRequestError,
  BridgeOutcomeMismatchError,
  BridgeUsageError,
  digestOf,
  isDeliveredOutcome,
  requestKeyOf,
  type DeliveredOutcome,
} from '../core/index.js';
import { defaultBridge, requestsNamespace, type WaitingDescriptor } from '../protocol/index.js';
import { handOverToBridge, type BridgeAddress } from './hand-over.js';
import { takeWaitTurn, type WaitTurn } from './wait-turn.js';

export interface WaitOptions {
  /** The bridge's graph id in langgraph.json. Default `batch_bridge`. */
  bridge?: string;
  /** The LangGraph API the bridge runs on; the server this node runs in when absent. */
  apiUrl?: string;
  apiKey?: string;
  /** Shown in the interrupt value (LangGraph Studio), e.g. `POST /v1/chat/completions gpt-4o-mini`. */
  description?: string;
  /** The turn taken with takeWaitTurn() when the call started; taken here when absent. */
  turn?: WaitTurn;
}

/** True inside a run on a LangGraph server, where a node can pause on an interrupt and be resumed by the bridge. */
export function isInLangGraphServerRun(): boolean {
  const configurable = getConfig()?.configurable;
  return Boolean(configurable?.thread_id && configurable?.assistant_id && configurable?.run_id);
}

/**
 * Pauses the calling node until the bridge delivers this payload's outcome. The first time, the node is interrupted
 * and the payload handed over to the bridge; when the bridge resumes the thread, the node runs again from the top and this
 * call returns the outcome. Call it with the same payload each time the node runs (identical calls build identical
 * payloads), in the same order as other waits in the node.
 */
export async function waitForOutcome(payload: unknown, options: WaitOptions = {}): Promise<DeliveredOutcome> {
  const config = getConfig();
  const configurable = config?.configurable;
  if (!isInLangGraphServerRun() || !configurable) {
    throw new BridgeUsageError(
      'batch-bridge waits for batch results by pausing a LangGraph thread, so it works inside a node of a graph running on a LangGraph server ' +
        '(langgraphjs dev or the LangGraph Platform). It was called outside such a run.',
    );
  }
  const bridge = options.bridge ?? defaultBridge;
  const digest = digestOf(payload);
  const descriptor: WaitingDescriptor = {
    kind: 'batch-bridge/request',
    bridge,
    digest,
    description: options.description,
  };
  const turn = options.turn ?? takeWaitTurn();
  let answer: unknown;
  try {
    await turn?.ready;
    answer = interrupt(descriptor);
  } catch (error) {
    if (!isGraphInterrupt(error)) throw error;
    const interruptId: string | undefined = error.interrupts.at(-1)?.id;
    if (!interruptId) throw error;
    // An earlier call of this execution holds this id; this call is handed over when the node runs again.
    if (turn?.usedInterruptIds.has(interruptId)) throw error;
    turn?.usedInterruptIds.add(interruptId);
    const threadId: string = configurable.thread_id;
    if (!(await isKnownToBridge(bridge, threadId, interruptId))) {
      const address: BridgeAddress = { assistantId: bridge, apiUrl: options.apiUrl, apiKey: options.apiKey };
      await handOverToBridge(address, {
        interruptId,
        threadId,
        assistantId: configurable.assistant_id,
        digest,
        payload: payload as object,
        queuedAt: Date.now(),
      });
    }
    throw error;
  } finally {
    turn?.release();
  }
  if (!isDeliveredOutcome(answer) || answer.digest !== digest) {
    throw new BridgeOutcomeMismatchError(
      'This call was resumed with a value that is not its own batch result ' +
        (isDeliveredOutcome(answer)
          ? '(the request differs from the one handed over: was the node changed, or does it call models in a different order?)'
          : `(got ${JSON.stringify(answer)?.slice(0, 200)})`) +
        '. Calls in one node must be made one after the other and in the same order each time it runs; for parallel calls use a Send fan-out.',
    );
  }
  return answer;
}

/**
 * The seed's `wait(item, bridge)`: returns the item's result, or throws BatchRequestError when it ended in an error.
 */
export async function wait<Result = unknown>(item: unknown, options: WaitOptions | string = {}): Promise<Result> {
  const delivered = await waitForOutcome(item, typeof options === 'string' ? { bridge: options } : options);
  const { outcome } = delivered;
  if (outcome.type === 'success') return outcome.body as Result;
  throw new BatchRequestError(outcome.message, outcome.code, outcome.statusCode, outcome.body);
}

/** A node that runs again while its request is in flight need not hand it over again (the bridge would skip it anyway). */
async function isKnownToBridge(bridge: string, threadId: string, interruptId: string): Promise<boolean> {
  try {
    const store = getStore();
    if (!store) return false;
    return (await store.get(requestsNamespace(bridge), requestKeyOf(threadId, interruptId))) !== null;
  } catch {
    return false;
  }
}
