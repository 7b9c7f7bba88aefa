import type { Client } from '@langchain/langgraph-sdk';
import { bridgeThreadId, defaultBridge } from '../protocol/index.js';

export interface CancelBatchRequestsOptions {
  /** Cancel every batch request this thread waits for. */
  threadId?: string;
  /** Cancel whole batches (the ids in the bridge state, `batches[].batchId`). */
  batchIds?: string[];
  /** The bridge's graph id; default `batch_bridge`. */
  bridge?: string;
  /** Said in the error the waiting calls get. */
  reason?: string;
}

/**
 * Cancels waiting batch requests: the calls waiting in `threadId`, and/or whole batches. Each cancelled call fails in
 * its node with a `cancelled` APICallError (lines that finished in a cancelled batch are still delivered). Returns how
 * many requests of the thread were asked to cancel.
 */
export async function cancelBatchRequests(
  client: Client,
  options: CancelBatchRequestsOptions,
): Promise<{ requests: number }> {
  const bridge = options.bridge ?? defaultBridge;
  const requests: Array<{ threadId: string; interruptId: string; digest?: string; assistantId?: string }> = [];
  if (options.threadId) {
    const thread = await client.threads.get(options.threadId);
    const metadata = (thread.metadata ?? {}) as { assistant_id?: string; graph_id?: string };
    const assistantId = metadata.assistant_id ?? metadata.graph_id;
    for (const interrupts of Object.values(thread.interrupts ?? {})) {
      for (const pending of interrupts) {
        const value = pending.value as { kind?: string; bridge?: string; digest?: string } | undefined;
        if (pending.id && value?.kind === 'batch-bridge/request' && value.bridge === bridge) {
          requests.push({ threadId: options.threadId, interruptId: pending.id, digest: value.digest, assistantId });
        }
      }
    }
  }
  if (requests.length === 0 && !options.batchIds?.length) return { requests: 0 };
  await client.runs.create(bridgeThreadId(bridge), bridge, {
    input: { event: { type: 'cancel', requests, batchIds: options.batchIds, reason: options.reason } },
    multitaskStrategy: 'enqueue',
    ifNotExists: 'create',
  });
  return { requests: requests.length };
}
