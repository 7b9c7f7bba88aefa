/**
 * Not part of the suite: how long `batch-bridge dev`'s server takes to stop (runs in progress to end, then the save)
 * with N agent threads waiting on the bridge, batches in flight. Usage: node --import tsx bench/dev-stop-timing.ts [N]
 */
import path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client } from '@langchain/langgraph-sdk';
import { startOpenAIBatchEmulator } from '../src/testing/index.js';
import { startLangGraphDevServer } from '../src/testing/langgraph-dev-server.js';
import { bridgeThreadId } from '../src/index.js';
import { waitFor } from '../test/e2e/support/e2e-environment.js';

const testFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test');
const threads = Number(process.argv[2] ?? 1000);
const apiKey = 'sk-test-batch-bridge-stop-timing-0123';
const emulator = await startOpenAIBatchEmulator({ apiKey, timings: { inProgressMs: 60 * 60_000 } });
const server = await startLangGraphDevServer({
  graphs: {
    single: path.join(testFolder, 'e2e/graphs/agents.ts:single'),
    launcher_bridge: path.join(testFolder, 'launcher/graphs/bridge.ts:launcherBridge'),
  },
  env: { OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: apiKey, LOG_LEVEL: 'warn' },
  stopTimeoutMs: 600_000,
});
try {
  const client = new Client({ apiUrl: server.url, callerOptions: { maxConcurrency: 16 } });
  const started = Date.now();
  for (let index = 0; index < threads; index += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, threads - index) }, async (_, offset) => {
        const thread = await client.threads.create();
        await client.runs.create(thread.thread_id, 'single', {
          input: { prompt: `Timing ${index + offset}`, bridge: 'launcher_bridge' },
          multitaskStrategy: 'enqueue',
        });
      }),
    );
  }
  const inFlight = threads - (threads % 15);
  await waitFor(
    () =>
      emulator.record().batches.reduce((sum, batch) => sum + batch.lines.length, 0) >= inFlight ? true : undefined,
    'the batches',
    1_800_000,
    500,
  );
  const state = (await client.threads.getState(bridgeThreadId('launcher_bridge'))).values as {
    batches: unknown[];
    queued: number;
  };
  console.log(
    `${threads} threads waiting, ${state.batches.length} batches in flight, ${state.queued} queued, after ${Math.round((Date.now() - started) / 1000)} s`,
  );
  const stopping = Date.now();
  await server.stop();
  const folder = path.join(server.directory, '.langgraph_api');
  const sizes = await Promise.all(
    (await readdir(folder))
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => `${name} ${((await stat(path.join(folder, name))).size / 1e6).toFixed(1)} MB`),
  );
  console.log(
    `stop took ${Date.now() - stopping} ms; ${server
      .logs()
      .filter((line) => line.includes('data saved'))
      .join(' ')}`,
  );
  console.log(sizes.join(', '));
} finally {
  await server.close();
  await emulator.close();
}
