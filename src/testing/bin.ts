#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startOpenAIBatchEmulator } from './emulator.js';

const usage =
  'Usage: batch-bridge-emulator [--port N] [--host H] [--api-key KEY] [--seed N] [--allow-models any|ID,ID]';

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
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535. ${usage}`);
  const emulator = await startOpenAIBatchEmulator({
    port,
    host: values.host,
    apiKey: values['api-key'],
    seed: values.seed === undefined ? undefined : Number(values.seed),
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
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
