/**
 * `npm run example -- <graph> [input-json]`: runs one thread of an example graph through its bridge, on a
 * `langgraphjs dev` started for it (the offline emulator without OPENAI_API_KEY), prints the thread's final values
 * and stops what it started. Without a graph it lists them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@langchain/langgraph-sdk';
import { unknownValueMessage } from '../../src/cli/unknown-value.js';
import { startDemoServices } from './demo-services.js';
import { ensureBuilt } from './ensure-build.js';
import { exampleInputs } from './example-inputs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts a thread and waits until it has no run left to do; returns its final values and status. */
export async function runExampleThread(
  client: Client,
  graph: string,
  input: Record<string, unknown>,
  timeoutMs = 120_000,
) {
  const thread = await client.threads.create();
  await client.runs.create(thread.thread_id, graph, { input, multitaskStrategy: 'enqueue' });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = await client.threads.get(thread.thread_id);
    if (current.status !== 'idle' && current.status !== 'error') continue;
    // Idle with a run still queued is the moment before it starts, or between a resume and the next one.
    const runs = await client.runs.list(thread.thread_id, { limit: 50 });
    if (runs.some((run) => run.status === 'pending' || run.status === 'running')) continue;
    return { status: current.status, values: current.values as Record<string, unknown> };
  }
  throw new Error(`The ${graph} thread ${thread.thread_id} did not finish within ${timeoutMs / 1000} s.`);
}

async function main(): Promise<number> {
  const [graph, inputText, ...extra] = process.argv.slice(2);
  const graphs = Object.keys(exampleInputs);
  const usage = `Usage: npm run example -- <graph> [input-json]\nGraphs: ${graphs.join(', ')} (and \`npm start\` for ticket_triage)`;
  if (!graph || graph === '--help' || graph === '-h') {
    console.log(usage);
    return 0;
  }
  if (!(graph in exampleInputs)) {
    console.error(`npm run example: ${unknownValueMessage('graph', graph, graphs)}\n\n${usage}`);
    return 2;
  }
  if (extra.length > 0) {
    console.error(`npm run example: unexpected argument '${extra[0]}' (the input is one JSON argument).\n\n${usage}`);
    return 2;
  }
  let input = exampleInputs[graph];
  if (inputText) {
    try {
      input = JSON.parse(inputText) as Record<string, unknown>;
    } catch (error) {
      console.error(`npm run example: the input is not JSON (${(error as Error).message}): ${inputText}\n\n${usage}`);
      return 2;
    }
  }
  const apiKey = process.env.OPENAI_API_KEY?.trim() || undefined;
  console.log(
    apiKey
      ? 'Using the real OpenAI Batch API (OPENAI_API_KEY is set): billed, and it may take minutes or hours.'
      : 'No OPENAI_API_KEY: using the offline OpenAI Batch API emulator (canned answers, no network, no cost).',
  );
  await ensureBuilt(root, (line) => console.log(line));
  const services = await startDemoServices({
    root,
    openaiApiKey: apiKey,
    bridgeTimings: { maxWaitMs: 1_000, pollIntervalMs: apiKey ? 15_000 : 1_000 },
  });
  const stop = () => void services.stop().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    console.log(`Running ${graph} on ${services.url} with ${JSON.stringify(input)}`);
    const { status, values } = await runExampleThread(services.client, graph, input, apiKey ? 24 * 3600_000 : 120_000);
    console.log(`Thread ${status}. Final values:\n${JSON.stringify(values, null, 2)}`);
    return status === 'idle' ? 0 : 1;
  } finally {
    await services.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
