#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startOpenAIBatchEmulator } from './emulator.js';

const usage = `batch-bridge-emulator: an offline OpenAI Batch API on your machine, for tests, demos and local runs.

It serves Files, Batches, and the synchronous chat/completions, responses and embeddings endpoints under /v1, answers
with a deterministic responder (no model, no network, nothing billed), and moves each batch through validating,
in_progress, finalizing and completed in about a tenth of a second. It prints its base URL alone on stdout (the rest
goes to stderr) and runs until Ctrl+C or SIGTERM.

Usage: batch-bridge-emulator [--port N] [--host H] [--api-key KEY] [--seed N] [--allow-models any|ID,ID]

Options:
  --port N              the port to listen on; without it (or with 0) a free port is picked at random, so read the
                        printed base URL (default: random)
  --host H              the address to listen on (default: 127.0.0.1)
  --api-key KEY         require "Authorization: Bearer KEY" on every request, as OpenAI does (401 otherwise); without
                        it any key, or none, is accepted
  --seed N              an integer that fixes the order in which each batch's output lines are shuffled: the same
                        seed and the same batches give the same order (default: 1); the answers themselves never
                        depend on it
  --allow-models LIST   model ids to accept besides OpenAI's own (a comma-separated list, or "any"); other unknown
                        ids are answered 404 model_not_found, as OpenAI does
  -h, --help            print this help

Example:
  batch-bridge-emulator --port 8089 --api-key sk-local
  OPENAI_BASE_URL=http://127.0.0.1:8089/v1 OPENAI_API_KEY=sk-local node my-script.js

In tests, start it from code instead: import { startOpenAIBatchEmulator } from 'batch-bridge/testing'.`;

function allowedModels(option: string | undefined): 'any' | string[] | undefined {
  if (option === undefined) return undefined;
  return option === 'any'
    ? 'any'
    : option
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      seed: { type: 'string' },
      // Made-up model ids (a local stand-in's name) that should not get OpenAI's 404 model_not_found.
      'allow-models': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, not ${values.port}.`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed must be an integer, not ${values.seed}.`);
  const emulator = await startOpenAIBatchEmulator({
    port,
    host: values.host,
    apiKey: values['api-key'],
    seed,
    allowModels: allowedModels(values['allow-models']),
  });
  // The base URL alone on stdout, so scripts can read it; the rest goes to stderr.
  console.log(emulator.baseURL);
  console.error('OpenAI Batch API emulator (offline, deterministic answers); Ctrl+C stops it.');
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(
    `${error instanceof Error ? error.message : String(error)}\nRun batch-bridge-emulator --help for the options.`,
  );
  process.exit(1);
});
