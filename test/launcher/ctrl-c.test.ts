import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { interruptAndRestart, scenarioBridge, type ScenarioOutcome } from './support/interrupt-scenario.js';
import { startLauncher, type LauncherProcess } from './support/launcher-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const apiKey = 'sk-test-batch-bridge-launcher-0123456789';
const runs = 10;

let emulator: RunningEmulator;
let directory: string;
let launcher: LauncherProcess | undefined;

beforeAll(async () => {
  emulator = await startOpenAIBatchEmulator({ apiKey });
  directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-launcher-'));
  const graphs = {
    single: path.relative(directory, path.join(here, '../e2e/graphs/agents.ts')) + ':single',
    [scenarioBridge]: path.relative(directory, path.join(here, 'graphs/bridge.ts')) + ':launcherBridge',
  };
  await writeFile(path.join(directory, 'langgraph.json'), JSON.stringify({ graphs }));
});

afterAll(async () => {
  await launcher?.forceStop();
  await emulator?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

it(
  `Ctrl-C to batch-bridge dev's process group with a batch in flight and requests queued, ${runs} times: every thread answered once, every request submitted once`,
  async () => {
    const context = {
      kind: 'batch-bridge dev' as const,
      emulator,
      directory,
      env: { OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: apiKey },
    };
    launcher = await startLauncher(context.kind, directory, context.env);
    const outcomes: ScenarioOutcome[] = [];
    for (let run = 0; run < runs; run += 1) {
      const { outcome } = await interruptAndRestart(
        context,
        launcher,
        `ctrl-c-run-${run}-${Date.now()}`,
        (next) => (launcher = next),
      );
      outcomes.push(outcome);
      console.log(`run ${run + 1}: ${JSON.stringify(outcome)}`);
    }
    const survived = outcomes.filter((outcome) => outcome.survived).length;
    const saves = outcomes.map((outcome) => outcome.savedInMs ?? Number.NaN);
    console.log(
      `batch-bridge dev, Ctrl-C to the group: survived ${survived}/${runs}; saves took ${saves.join(', ')} ms`,
    );
    expect(outcomes.filter((outcome) => !outcome.survived)).toEqual([]);
    // The launcher exits as a process ended by Ctrl-C does, after its server saved.
    expect(outcomes.map((outcome) => outcome.launcherExit)).toEqual(Array(runs).fill('code 130'));
  },
  20 * 60_000,
);
