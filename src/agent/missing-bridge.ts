import type { Client } from '@langchain/langgraph-sdk';
import { BridgeUnavailableError } from '../core/index.js';
import { graphIdsOn } from '../protocol/index.js';

/** True when the LangGraph API answered that the assistant (the bridge's graph id) does not exist: no retry helps. */
export function isMissingAssistant(error: unknown): boolean {
  return (error as { status?: unknown } | null)?.status === 404;
}

/**
 * The node's error when the bridge it names is not a graph of the server: says which graphs there are and how to fix
 * it. The request was taken back out of the inbox, so nothing is submitted for it.
 */
export async function missingBridgeError(client: Client, bridge: string, apiUrl?: string): Promise<Error> {
  // Empty when the server cannot say: the error still names the bridge.
  const graphs = await graphIdsOn(client).catch(() => []);
  const where = apiUrl ? `the LangGraph server at ${apiUrl}` : 'this LangGraph server';
  const known = graphs.length > 0 ? ` (its graphs: ${graphs.join(', ')})` : '';
  return new BridgeUnavailableError(
    `The bridge graph '${bridge}' does not exist on ${where}${known}. Register a bridge in langgraph.json under that id ` +
      `(e.g. "${bridge}": "./src/bridge.ts:bridge", exporting createOpenAIBridge()), or name an existing one with ` +
      `createBatchOpenAI({ bridge }). Nothing was submitted.`,
  );
}
