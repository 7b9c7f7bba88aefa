import type { Client } from '@langchain/langgraph-sdk';
import { bridgeThreadId } from '../../src/protocol/index.js';
import type { BridgeState } from '../../src/bridge/bridge-state.js';
import { cancelBatchRequests } from '../../src/agent/index.js';

/**
 * On Ctrl-C with the real API: batches already submitted would run on at OpenAI, and be billed, after the server that
 * polls them is gone. Ask the bridge to cancel them and wait (a little) until its state says it did. Returns the ids.
 */
export async function cancelBatchesInFlight(client: Client, bridge: string, timeoutMs = 15_000): Promise<string[]> {
  const readState = async () =>
    (await client.threads.getState(bridgeThreadId(bridge)).catch(() => undefined))?.values as BridgeState | undefined;
  const batchIds = ((await readState())?.batches ?? []).flatMap((batch) =>
    batch.cancelRequested || batch.batchId === null ? [] : [batch.batchId],
  );
  if (batchIds.length === 0) return [];
  await cancelBatchRequests(client, { batchIds, bridge, reason: 'the demo was stopped (Ctrl-C)' });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await readState();
    // Settled: cancelled, gone (its results came in), or refused by the API (a batch that finished meanwhile).
    const refused = (id: string) =>
      state?.recentErrors.some((error) => error.message.startsWith(`Cancelling batch ${id} failed`));
    const open = batchIds.filter((id) => {
      const batch = state?.batches.find((inFlight) => inFlight.batchId === id);
      return batch !== undefined && !batch.cancelRequested && !refused(id);
    });
    if (open.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return batchIds;
}
