/**
 * `batch-bridge status [--url URL] [--bridge ID] [--json]`: the bridge's queue and batches in flight, read from its
 * thread's state on a LangGraph server. Read-only; for an operator.
 */
import { parseArgs } from 'node:util';
import { Client } from '@langchain/langgraph-sdk';
import type { BridgeState } from '../bridge/index.js';
import { bridgeThreadId } from '../protocol/index.js';
import { formatBridgeStatus } from './format-status.js';

export const statusUsage = `Usage: batch-bridge status [--url URL] [--bridge ID] [--json]

  --url URL     the LangGraph server the bridge runs on (default: LANGGRAPH_API_URL, else http://127.0.0.1:2024);
                on the LangGraph Platform set LANGSMITH_API_KEY
  --bridge ID   the bridge's graph id in langgraph.json (default batch_bridge)
  --json        print the bridge's state as JSON`;

/** Runs `batch-bridge status`; `argv` starts with the word `status`. */
export async function runStatus(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.LANGGRAPH_API_URL ?? 'http://127.0.0.1:2024' },
      bridge: { type: 'string', default: 'batch_bridge' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals[0] !== 'status' || positionals.length > 1) {
    (values.help ? console.log : console.error)(statusUsage);
    return values.help ? 0 : 2;
  }
  const threadId = bridgeThreadId(values.bridge);
  const client = new Client({ apiUrl: values.url, callerOptions: { maxRetries: 1 } });
  let state: BridgeState;
  try {
    state = (await client.threads.getState(threadId)).values as BridgeState;
  } catch (error) {
    if (String(error).includes('404')) {
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
