/**
 * `npm start`: the support-ticket triage agent over the bundled tickets, through the bridge, with live progress and a
 * cost report. Starts what it needs (the offline emulator without OPENAI_API_KEY, `langgraphjs dev` on a free port)
 * and stops it again, also on Ctrl-C.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoUsageError, parseDemoOptions, usage, type DemoOptions } from './demo-options.js';
import { probeLangGraphServer } from './server-probe.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const apiKey = process.env.OPENAI_API_KEY?.trim() || undefined;
  if (options.real && !apiKey) {
    console.error(
      '--real uses the real OpenAI Batch API and needs OPENAI_API_KEY in the environment; it is not set. Nothing was started.',
    );
    return 2;
  }
  console.log(whoAnswers(options, apiKey));
  if (options.url) {
    // Before anything slow loads: a mistyped port is said within two seconds.
    const reached = await probeLangGraphServer(options.url).then(
      () => true,
      (error: Error) => (console.error(error.message), false),
    );
    if (!reached) return 1;
  }

  // Ctrl-C (and SIGTERM) abort the run; runDemo then stops what it started. A second one only says so.
  const interruption = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruption.signal.aborted) return console.log(`\n${signal} again: still stopping what the demo started ...`);
    console.log(`\n${signal}: stopping what the demo started ...`);
    interruption.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Loaded after the first lines: the services and the SDK take seconds to load on a small machine.
  const { runDemo } = await import('./run-demo.js');
  return runDemo(root, options, apiKey, interruption.signal);
}

/** Said first, plainly: who answers the model calls, and what it costs. */
function whoAnswers(options: DemoOptions, apiKey: string | undefined): string {
  if (options.url) {
    return `Using the LangGraph server at ${options.url}: nothing is started, and its bridge answers with the OpenAI settings it was started with.`;
  }
  if (!apiKey) {
    return [
      'No OPENAI_API_KEY: using the offline OpenAI Batch API emulator (batch-bridge/testing). No account, no network, no cost;',
      'its answers come from keyword rules, not from a model. Set OPENAI_API_KEY (or pass --real) for the real Batch API.',
    ].join('\n');
  }
  return [
    `OPENAI_API_KEY is set: using the real OpenAI Batch API with ${options.model}. This is billed (at batch prices), and batches`,
    'can take minutes to hours. Ctrl-C cancels the batches in flight and stops.',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
