import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { graphIdsOn } from '../../src/protocol/index.js';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { startLangGraphDevServer, type RunningLangGraphDevServer } from '../../src/testing/langgraph-dev-server.js';
import { probeLangGraphServer, probeTimeoutMs } from './server-probe.js';
import { triageResponder } from './triage-responder.js';

export interface DemoServicesOptions {
  /** The project's root: its langgraph.json names the graphs the server runs. */
  root: string;
  /** An existing LangGraph server; nothing is started then. */
  url?: string;
  /** The key the bridge submits batches with; the offline emulator when absent. */
  openaiApiKey?: string;
  /** How soon the bridge flushes and how often it polls (the demo wants seconds, not the default minute). */
  bridgeTimings: { maxWaitMs: number; pollIntervalMs: number };
  /** Emulated batch phases, long enough to watch the statuses change. */
  emulatorTimings?: { validatingMs: number; inProgressMs: number; finalizingMs: number };
  onServerLog?: (line: string) => void;
}

export interface DemoServices {
  client: Client;
  url: string;
  /** Who answers the batches: said in every output. */
  openai: 'offline emulator' | 'OpenAI Batch API' | 'OpenAI settings of the --url server';
  /** True when this process started the server (and so may cancel its batches and must stop it). */
  ownsServer: boolean;
  /** The emulator this process started, if any (the test counts the lines it received). */
  emulator?: RunningEmulator;
  /** Stops what was started here, newest first; safe to call twice. */
  stop(): Promise<void>;
}

const emulatorKey = 'sk-batch-bridge-demo-emulator';

export async function startDemoServices(options: DemoServicesOptions): Promise<DemoServices> {
  if (options.url) {
    const client = new Client({ apiUrl: options.url, callerOptions: { maxConcurrency: 16 } });
    await assertGraphsExist(options.url);
    return {
      client,
      url: options.url,
      openai: 'OpenAI settings of the --url server',
      ownsServer: false,
      stop: async () => undefined,
    };
  }
  let emulator: RunningEmulator | undefined;
  let server: RunningLangGraphDevServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server?.close();
      await emulator?.close();
    })());
  try {
    if (!options.openaiApiKey) {
      emulator = await startOpenAIBatchEmulator({
        apiKey: emulatorKey,
        responder: triageResponder,
        timings: options.emulatorTimings,
      });
    }
    server = await startLangGraphDevServer({
      graphs: projectGraphs(options.root),
      onLog: options.onServerLog,
      env: {
        OPENAI_API_KEY: options.openaiApiKey ?? emulatorKey,
        // With a real key, OPENAI_BASE_URL from the environment (a proxy, Azure) is the user's to keep.
        OPENAI_BASE_URL: emulator ? emulator.baseURL : process.env.OPENAI_BASE_URL,
        BATCH_BRIDGE_MAX_WAIT_MS: String(options.bridgeTimings.maxWaitMs),
        BATCH_BRIDGE_POLL_INTERVAL_MS: String(options.bridgeTimings.pollIntervalMs),
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const client = new Client({ apiUrl: server.url, callerOptions: { maxConcurrency: 16 } });
  return {
    client,
    url: server.url,
    openai: emulator ? 'offline emulator' : 'OpenAI Batch API',
    ownsServer: true,
    emulator,
    stop,
  };
}

/** The graphs of the project's langgraph.json, with absolute paths (the server runs in a folder of its own). */
export function projectGraphs(root: string): Record<string, string> {
  const config = JSON.parse(readFileSync(path.join(root, 'langgraph.json'), 'utf8')) as {
    graphs: Record<string, string>;
  };
  return Object.fromEntries(Object.entries(config.graphs).map(([id, spec]) => [id, path.resolve(root, spec)]));
}

/** Checks that the server runs the demo's graphs, once and bounded (the SDK's own retries take 20-30 s). */
async function assertGraphsExist(url: string) {
  await probeLangGraphServer(url);
  const probe = new Client({ apiUrl: url, timeoutMs: probeTimeoutMs, callerOptions: { maxRetries: 0 } });
  const graphs = await graphIdsOn(probe);
  for (const graphId of ['ticket_triage', 'batch_bridge']) {
    if (!graphs.includes(graphId)) {
      throw new Error(
        `The server at ${url} has no graph '${graphId}' (its graphs: ${graphs.join(', ') || 'none'}). ` +
          'Start it from this project (npx langgraphjs dev), whose langgraph.json registers it.',
      );
    }
  }
}
