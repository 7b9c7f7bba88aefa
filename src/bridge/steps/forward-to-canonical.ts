import type { BaseStore } from '@langchain/langgraph';
import type { Client } from '@langchain/langgraph-sdk';
import { bridgeThreadId, inboxNamespace, type BridgeEvent } from '../../protocol/index.js';

/**
 * One bridge per graph id, whatever address a node used. A node that names the bridge by an assistant's UUID hands
 * over on that name's thread, but the bridge's queue is its graph id's: two threads running over one queue could
 * submit a request twice. A run on any thread but the graph id's own therefore only moves what it was given to the
 * canonical thread (its inbox, and the event itself) and wakes it.
 */
export async function forwardToCanonical(options: {
  store: BaseStore;
  client: Client;
  bridge: string;
  assistantId: string;
  threadId: string;
  event: BridgeEvent;
}): Promise<{ forwardedRequests: number }> {
  const { store, client, bridge, threadId, event } = options;
  const canonical = bridgeThreadId(bridge);
  const from = inboxNamespace(threadId);
  const items = (await store.search(from, { limit: 10_000 })).filter((item) => item.namespace.length === from.length);
  // Written to the canonical inbox first: an item is never in neither place.
  for (const item of items) await store.put(inboxNamespace(canonical), item.key, item.value);
  for (const item of items) await store.delete(from, item.key);
  const carried = event.type === 'tick' ? { type: 'inbox' as const } : event;
  await client.runs.create(canonical, options.assistantId, {
    input: { event: carried },
    multitaskStrategy: 'enqueue',
    ifNotExists: 'create',
  });
  return { forwardedRequests: items.length };
}

export function isCanonicalThread(bridge: string, threadId: string): boolean {
  return bridgeThreadId(bridge) === threadId;
}
