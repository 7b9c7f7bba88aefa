import { Client } from '@langchain/langgraph-sdk';
import { bridgeThreadId, graphIdsOn } from '../protocol/index.js';

/** Tries to reach the server that is still starting, for about 2 minutes. */
const attempts = 12;
const firstDelayMs = 1_000;
const longestDelayMs = 15_000;

let scheduled = false;

/** Starts the line printed once the start's ticks are sent. */
export const startupTickLogPrefix = '[batch-bridge] startup ticks sent:';

/**
 * Gives every bridge of this server a tick when the server starts. A bridge runs only when something starts a run
 * on its thread (a hand-over, its own scheduled tick); after a crash its next tick may not have been saved, and then
 * nothing would ever run it again: not the polling of its batches, nor reconciliation with the batch API, which
 * finds what the crash lost (reconcile-batches.ts). Once per process, in the LangGraph server only (it sets
 * LANGGRAPH_API_URL): the graphs are listed, and each whose bridge thread exists gets one tick. Failures are quiet;
 * the next hand-over runs the bridge all the same.
 */
export function tickBridgesAtStartup(): void {
  const apiUrl = process.env.LANGGRAPH_API_URL;
  if (scheduled || !apiUrl) return;
  scheduled = true;
  void tickBridges(new Client({ apiUrl, callerOptions: { maxRetries: 0 } })).catch(() => undefined);
}

async function tickBridges(client: Client): Promise<void> {
  let graphIds: string[] | undefined;
  for (let attempt = 0; attempt < attempts && graphIds === undefined; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(longestDelayMs, firstDelayMs * 2 ** attempt)).unref());
    try {
      graphIds = await graphIdsOn(client);
    } catch {
      // The server is not answering yet.
    }
  }
  const ticked: string[] = [];
  for (const graphId of graphIds ?? []) {
    const threadId = bridgeThreadId(graphId);
    // Only graphs that have run as a bridge have this thread: other graphs are not started.
    const exists = await client.threads.get(threadId).then(
      () => true,
      () => false,
    );
    if (!exists) continue;
    await client.runs
      .create(threadId, graphId, { input: { event: { type: 'tick' } }, multitaskStrategy: 'enqueue' })
      .then(() => ticked.push(graphId))
      .catch(() => undefined);
  }
  // One line, so that an operator (and a test) can tell the start's ticks are all sent.
  console.log(
    graphIds === undefined
      ? `${startupTickLogPrefix} the server did not answer; no bridge was ticked (the next hand-over runs them)`
      : `${startupTickLogPrefix} ${ticked.length ? ticked.join(', ') : 'no bridge with a thread yet'}`,
  );
}
