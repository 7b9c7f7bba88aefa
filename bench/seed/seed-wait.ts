import { getConfig, interrupt, isGraphInterrupt } from '@langchain/langgraph';
import { Client } from '@langchain/langgraph-sdk';
import { digestOf } from '../../src/core/index.js';
import { bridgeThreadId } from '../../src/protocol/index.js';

/** The graph id the seed's bridge is registered under in the benchmark's langgraph.json. */
export const seedBridgeId = 'seed_bridge';

export interface SeedRequest {
  threadId: string;
  assistantId: string;
  interruptId: string;
  digest: string;
  payload: { url: string; body: Record<string, unknown> };
}

export interface SeedOutcome {
  digest: string;
  type: 'success' | 'error';
  body?: unknown;
  message?: string;
}

let client: Client | undefined;

/**
 * The seed's wait(): interrupt, and on the first pass hand the request to the bridge in a run of its own. Nothing is
 * coalesced: one bridge run per request is the seed's design, which this baseline measures.
 */
export async function seedWait(payload: SeedRequest['payload']): Promise<unknown> {
  const configurable = getConfig()?.configurable ?? {};
  const digest = digestOf(payload);
  let answer: SeedOutcome;
  try {
    answer = interrupt({ kind: 'seed/request', digest }) as SeedOutcome;
  } catch (error) {
    if (!isGraphInterrupt(error)) throw error;
    const interruptId = error.interrupts.at(-1)?.id;
    if (!interruptId) throw error;
    const request: SeedRequest = {
      threadId: configurable.thread_id,
      assistantId: configurable.assistant_id,
      interruptId,
      digest,
      payload,
    };
    // Inside the server `new Client()` reaches the server itself through its in-process loopback.
    client ??= new Client({ callerOptions: { maxRetries: 3 } });
    await client.runs.create(bridgeThreadId(seedBridgeId), seedBridgeId, {
      input: { event: { type: 'submit', request } },
      multitaskStrategy: 'enqueue',
      ifNotExists: 'create',
    });
    throw error;
  }
  if (answer?.digest !== digest) throw new Error("seed bridge: resumed with another request's outcome");
  if (answer.type === 'error') throw new Error(`seed bridge: the request failed: ${answer.message}`);
  return answer.body;
}
