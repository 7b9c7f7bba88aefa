import { parseArgs } from 'node:util';
import { argumentErrorMessage } from '../../src/cli/unknown-value.js';

export interface DemoOptions {
  model: string;
  count: number;
  url?: string;
  real: boolean;
  help: boolean;
}

export const defaultTicketCount = 300;

export const usage = `Usage: npm start -- [options]

Runs a support-ticket triage agent over the bundled tickets (examples/data) through the BatchBridge bridge on a
local LangGraph server, shows the batches live and ends with a cost report. Without OPENAI_API_KEY it uses the
offline OpenAI Batch API emulator: no account, no network, no cost.

Options:
  --model ID    OpenAI model for the agent (default gpt-4o-mini)
  --count N     tickets to triage, 1 to ${defaultTicketCount} (default ${defaultTicketCount}); 10 per thread
  --url URL     use a LangGraph server that is already running (e.g. npx langgraphjs dev in this project)
                instead of starting one; its bridge uses the OpenAI settings it was started with
  --real        use the real OpenAI Batch API; refuse to run without OPENAI_API_KEY
  --help        show this text

Environment:
  OPENAI_API_KEY                   the real Batch API instead of the emulator (batches take minutes to hours)
  BATCH_BRIDGE_MAX_WAIT_MS         how long the bridge lets a request wait before it submits (demo: 1000; real: 5000)
  BATCH_BRIDGE_POLL_INTERVAL_MS    how often it polls batches in flight (demo: 1000; real: 15000)`;

export class DemoUsageError extends Error {}

const demoFlags = {
  model: { type: 'string', default: 'gpt-4o-mini' },
  count: { type: 'string', default: String(defaultTicketCount) },
  url: { type: 'string' },
  real: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseDemoOptions(argv: string[]): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: demoFlags }));
  } catch (error) {
    const message = argumentErrorMessage(error, demoFlags) ?? (error as Error).message;
    throw new DemoUsageError(`npm start: ${message}\n\n${usage}`);
  }
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > defaultTicketCount) {
    throw new DemoUsageError(
      `--count must be a whole number from 1 to ${defaultTicketCount} (the bundled tickets); got '${values.count}'.`,
    );
  }
  if (values.url !== undefined && !/^https?:\/\//.test(values.url)) {
    throw new DemoUsageError(`--url must be an http(s) URL, e.g. http://127.0.0.1:2024; got '${values.url}'.`);
  }
  if (values.model.trim() === '') throw new DemoUsageError('--model needs a model id, e.g. gpt-4o-mini.');
  return { model: values.model, count, url: values.url, real: values.real, help: values.help };
}
