/**
 * `batch-bridge status [--url URL] [--bridge ID] [--json]`: the bridge's queue and batches in flight, read from its
 * thread's state on a LangGraph server. Read-only; for an operator.
 */
import { parseArgs } from 'node:util';
import { Client } from '@langchain/langgraph-sdk';
import type { BridgeState } from '../bridge/index.js';
import { isNotFound } from '../core/index.js';
import { bridgeThreadId } from '../protocol/index.js';
import { graphsOn, missingBridgeMessage } from './bridge-graphs.js';
import { formatBridgeStatus } from './format-status.js';

export const statusUsage = `Usage: batch-bridge status [--url URL] [--bridge ID] [--json]

  --url URL     the LangGraph server the bridge runs on (default: LANGGRAPH_API_URL, else http://127.0.0.1:2024);
                on the LangGraph Platform set LANGSMITH_API_KEY
  --bridge ID   the bridge's graph id in langgraph.json (default batch_bridge)
  --json        print the bridge's state as JSON`;

export const statusOptions = {
  url: { type: 'string', default: process.env.LANGGRAPH_API_URL ?? 'http://127.0.0.1:2024' },
  bridge: { type: 'string', default: 'batch_bridge' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Runs `batch-bridge status`; `argv` starts with the word `status`. */
export async function runStatus(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: statusOptions });
  if (values.help) return (console.log(statusUsage), 0);
  if (positionals[0] !== 'status' || positionals.length > 1) {
    console.error(`batch-bridge status: unexpected argument '${positionals.at(-1)}'.\n\n${statusUsage}`);
    return 2;
  }
  const threadId = bridgeThreadId(values.bridge);
  const client = new Client({ apiUrl: values.url, callerOptions: { maxRetries: 1 } });
  let state: BridgeState;
  try {
    state = (await client.threads.getState(threadId)).values as BridgeState;
  } catch (error) {
    if (isNotFound(error)) {
      // No thread: a bridge no request has reached yet, or no such graph on this server (a typo, another server).
      const graphs = await graphsOn(client).catch(() => undefined);
      if (graphs && !graphs.bridges.includes(values.bridge)) {
        console.error(missingBridgeMessage(values.bridge, values.url, graphs));
        return 1;
      }
      console.log(
        `Bridge '${values.bridge}' on ${values.url}: no thread yet (${threadId}); no request has reached it.`,
      );
      return 0;
    }
    console.error(
      `Cannot read the bridge '${values.bridge}' on ${values.url}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  console.log(
    values.json ? JSON.stringify(state, null, 2) : formatBridgeStatus(values.bridge, values.url, threadId, state),
  );
  return 0;
}
