/**
 * The scenario of issue 16, once: 20 agent threads wait on the bridge (15 requests in a batch that stays in flight,
 * 5 still queued), Ctrl-C to the launcher's whole process group, a restart on the same folder, then the batch is let
 * finish. It survived when every thread was answered once and every request was submitted exactly once.
 */
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { bridgeThreadId } from '../../../src/index.js';
import type { RunningEmulator } from '../../../src/testing/types.js';
import { finishedThread, linesMentioning, waitFor } from '../../e2e/support/e2e-environment.js';
import { startLauncher, type LauncherKind, type LauncherProcess } from './launcher-process.js';

export const scenarioBridge = 'launcher_bridge';

export interface ScenarioOutcome {
  survived: boolean;
  /** Threads that ended with exactly one answer to their own prompt. */
  answered: number;
  /** Batch lines the emulator received for this run's 20 requests (20 when none was lost or repeated). */
  lines: number;
  distinctLines: number;
  launcherExit: string;
  /** The save time the launcher's server reported, when it did. */
  savedInMs?: number;
  /** Size of each data file when the launcher had exited (a 0 is a file cut by the stop). */
  bytesAfterStop: Record<string, number>;
  problem?: string;
}

interface ScenarioContext {
  kind: LauncherKind;
  emulator: RunningEmulator;
  directory: string;
  env: Record<string, string>;
}

const client = (launcher: LauncherProcess) =>
  new Client({ apiUrl: launcher.url, callerOptions: { maxConcurrency: 32 } });

/** Runs the scenario on `launcher` and returns the outcome and the launcher started after the Ctrl-C. */
export async function interruptAndRestart(
  context: ScenarioContext,
  launcher: LauncherProcess,
  tag: string,
  onRestarted: (next: LauncherProcess) => void,
): Promise<{ outcome: ScenarioOutcome; next: LauncherProcess }> {
  const { emulator, directory } = context;
  const drainFile = path.join(directory, 'drain');
  await rm(drainFile, { force: true });
  emulator.setTimings({ inProgressMs: 10 * 60_000 });
  const before = client(launcher);
  const bridgeState = async () =>
    (await before.threads.getState(bridgeThreadId(scenarioBridge))).values as { queued: number; batches: unknown[] };
  let inFlight: string[];
  let queued: string[];
  try {
    inFlight = await startThreads(before, tag, 0, 15);
    await waitFor(
      () => (linesMentioning(emulator, tag).length === 15 ? true : undefined),
      'the 15-line batch to be submitted',
    );
    await waitFor(
      async () => ((await bridgeState()).batches.length === 1 ? true : undefined),
      'the batch to be recorded in flight',
    );
    queued = await startThreads(before, tag, 15, 5);
    await waitFor(async () => ((await bridgeState()).queued === 5 ? true : undefined), 'five requests to be queued');
  } catch (error) {
    const state = await bridgeState().catch((reason: unknown) => String(reason));
    throw new Error(
      `${tag}, before Ctrl-C: ${error instanceof Error ? error.message : String(error)}\nbridge: ${JSON.stringify(state).slice(0, 1500)}\nlines: ${linesMentioning(emulator, tag).length}\n${launcher.output().slice(-2000)}`,
      { cause: error },
    );
  }

  launcher.interruptGroup();
  const exit = await launcher.exited;
  const savedInMs = Number(/data saved in (\d+) ms/.exec(launcher.output())?.[1] ?? Number.NaN);
  const bytesAfterStop = await dataFileSizes(directory);
  const next = await startLauncher(context.kind, directory, context.env);
  onRestarted(next);
  emulator.setTimings({ inProgressMs: 50 });
  await writeFile(drainFile, '');

  const after = client(next);
  let answered = 0;
  let problem: string | undefined;
  for (const [index, threadId] of [...inFlight, ...queued].entries()) {
    try {
      const { state } = await finishedThread(after, threadId, 60_000);
      const results = (state.values as { results?: Array<{ text?: string }> }).results ?? [];
      if (results.length === 1 && results[0].text?.includes(prompt(tag, index))) answered += 1;
      else problem ??= `thread ${index} ended with ${JSON.stringify(results).slice(0, 200)}`;
    } catch (error) {
      problem ??= `thread ${index}: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }
  }
  const lines = linesMentioning(emulator, tag);
  const distinctLines = new Set(lines.map((line) => JSON.stringify(line.body))).size;
  const outcome: ScenarioOutcome = {
    survived: answered === 20 && lines.length === 20 && distinctLines === 20,
    answered,
    lines: lines.length,
    distinctLines,
    launcherExit: exit.signal ?? `code ${exit.code}`,
    savedInMs: Number.isNaN(savedInMs) ? undefined : savedInMs,
    bytesAfterStop,
    problem,
  };
  await rm(drainFile, { force: true });
  return { outcome, next };
}

async function dataFileSizes(directory: string): Promise<Record<string, number>> {
  const folder = path.join(directory, '.langgraph_api');
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
  return Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, (await stat(path.join(folder, name))).size] as const)),
  );
}

const prompt = (tag: string, index: number) => `Question ${index} ${tag}`;

async function startThreads(sdk: Client, tag: string, from: number, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, offset) => {
      const thread = await sdk.threads.create();
      await sdk.runs.create(thread.thread_id, 'single', {
        input: { prompt: prompt(tag, from + offset), bridge: scenarioBridge },
        multitaskStrategy: 'enqueue',
      });
      return thread.thread_id;
    }),
  );
}
