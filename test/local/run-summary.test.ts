import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addCost, describeCostTotals, emptyCostTotals, type CallCost } from '../../src/pricing/index.js';
import { killScripts, runScript, type ScriptRun } from './support/child-script.js';
import { startLocalEnvironment, testApiKey, type LocalEnvironment } from './support/local-environment.js';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/batch-script.ts');

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await killScripts();
  await environment?.close();
  environment = undefined;
});

interface ScriptResult {
  batchBridge: { fromCache: boolean; usage: CallCost['usage']; cost: Omit<CallCost, 'usage'> };
}

async function finished(run: ScriptRun): Promise<ScriptResult[]> {
  const { code } = await run.exited;
  if (code !== 0) throw new Error(`The script exited with ${code}:\n${run.stderr()}`);
  return JSON.parse(run.stdout()) as ScriptResult[];
}

const summaryOf = (run: ScriptRun) =>
  run
    .stderr()
    .split('\n')
    .find((line) => line.includes('this run:'));

describe("local mode: a script's closing summary", () => {
  it('says what the run spent and saved, the sum of its calls; a rerun answered from the store spends nothing', async () => {
    environment = await startLocalEnvironment();
    const env = {
      OPENAI_BASE_URL: environment.emulator.baseURL,
      OPENAI_API_KEY: testApiKey,
      STORE_DIRECTORY: environment.directory,
      PROMPT_COUNT: '12',
    };

    const first = await finished(runScript(script, env));
    const secondRun = runScript(script, { ...env, PROMPT_COUNT: '15' });
    const second = await finished(secondRun);
    // 12 answers come from the store the first script filled; 3 are new and go through one batch.
    const fresh = second.filter((result) => !result.batchBridge.fromCache);
    expect(first).toHaveLength(12);
    expect(fresh).toHaveLength(3);
    const spent = fresh
      .map((result) => ({ ...result.batchBridge.cost, usage: result.batchBridge.usage }))
      .reduce(addCost, emptyCostTotals());
    expect(spent.batchUsd).toBeGreaterThan(0);
    expect(summaryOf(secondRun)).toBe(
      `batch-bridge: this run: 3 answer(s) through 1 batch(es), 12 from the store (paid before); ${describeCostTotals(spent)}`,
    );

    const third = runScript(script, { ...env, PROMPT_COUNT: '15' });
    await finished(third);
    expect(summaryOf(third)).toBe('batch-bridge: this run: 15 answer(s) from the store (paid before); nothing spent');
  }, 180_000);
});
