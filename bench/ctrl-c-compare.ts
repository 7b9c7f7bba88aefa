/**
 * Not part of the suite: issue 16's scenario (20 threads, a batch in flight, 5 requests queued, Ctrl-C to the whole
 * process group, restart on the same folder) N times with plain `langgraphjs dev` or with `batch-bridge dev`, to
 * compare how many runs survive. Usage: node --import tsx bench/ctrl-c-compare.ts [langgraphjs|batch-bridge] [runs]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIBatchEmulator } from '../src/testing/index.js';
import { interruptAndRestart, scenarioBridge } from '../test/launcher/support/interrupt-scenario.js';
import { startLauncher, type LauncherKind, type LauncherProcess } from '../test/launcher/support/launcher-process.js';

const testFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test');
const kind: LauncherKind = process.argv[2] === 'batch-bridge' ? 'batch-bridge dev' : 'langgraphjs dev';
const runs = Number(process.argv[3] ?? 10);
const apiKey = 'sk-test-batch-bridge-compare-0123456789';

const emulator = await startOpenAIBatchEmulator({ apiKey });
const directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-compare-'));
let launcher: LauncherProcess | undefined;
try {
  const graphs = {
    single: path.relative(directory, path.join(testFolder, 'e2e/graphs/agents.ts')) + ':single',
    [scenarioBridge]: path.relative(directory, path.join(testFolder, 'launcher/graphs/bridge.ts')) + ':launcherBridge',
  };
  await writeFile(path.join(directory, 'langgraph.json'), JSON.stringify({ graphs }));
  const context = { kind, emulator, directory, env: { OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: apiKey } };
  launcher = await startLauncher(kind, directory, context.env);
  let survived = 0;
  for (let run = 0; run < runs; run += 1) {
    const { outcome } = await interruptAndRestart(
      context,
      launcher,
      `compare-${run}-${Date.now()}`,
      (next) => (launcher = next),
    );
    if (outcome.survived) survived += 1;
    console.log(`run ${run + 1}: ${JSON.stringify(outcome)}`);
  }
  console.log(`${kind}, Ctrl-C to the whole process group: survived ${survived}/${runs}`);
} finally {
  await launcher?.forceStop();
  await emulator.close();
  await rm(directory, { recursive: true, force: true });
}
