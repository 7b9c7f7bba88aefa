import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../scripts/demo/ensure-build.js';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import { startLangGraphDevServer } from '../../src/testing/langgraph-dev-server.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { readmeSnippets, repositoryRoot, snippetFolder, writeSnippets } from './support/readme-snippets.js';

/**
 * The README's quickstart snippets, read from README.md and run as a user would run them: `batch-bridge` is the built
 * package (resolved by its name), OPENAI_BASE_URL points at the offline emulator, and what is checked is what a user
 * looks at: the printed answers, the exit code, and the batches the API received.
 */
const apiKey = 'sk-readme-snippets';
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let snippets: Map<string, string>;
let emulator: RunningEmulator;
const folders: string[] = [];

beforeAll(async () => {
  await ensureBuilt(repositoryRoot, () => undefined);
  snippets = await readmeSnippets();
  emulator = await startOpenAIBatchEmulator({ apiKey });
}, 180_000);

afterAll(async () => {
  await emulator?.close();
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  await rmdir(path.join(repositoryRoot, '.readme-snippets')).catch(() => undefined); // only when empty
});

/** Runs a snippet file with tsx from a fresh working folder (its `.batch-bridge/` store lands there). */
async function runSnippet(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const workingFolder = await mkdtemp(path.join(tmpdir(), 'batch-bridge-readme-'));
  folders.push(workingFolder);
  const { OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', tsx, file],
      { cwd: workingFolder, env: { ...inherited, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const emulatorEnv = () => ({
  OPENAI_BASE_URL: emulator.baseURL,
  OPENAI_API_KEY: apiKey,
  BATCH_BRIDGE_MAX_WAIT_MS: '200',
  BATCH_BRIDGE_POLL_INTERVAL_MS: '200',
});

const batchesMentioning = (text: string) =>
  emulator.record().batches.filter((batch) => JSON.stringify(batch.lines).includes(text));

describe("the README's snippets, run as written", () => {
  it('1. Batch a script: prints one answer per review, all from one batch, and exits 0', async () => {
    const folder = await snippetFolder('local');
    folders.push(folder);
    await writeSnippets(folder, snippets, ['local-quickstart.ts']);
    const { code, stdout, stderr } = await runSnippet(path.join(folder, 'local-quickstart.ts'), emulatorEnv());
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const printed = stdout.trim().split('\n');
    expect(printed).toHaveLength(3);
    for (const line of printed) expect(line).toMatch(/ -> \S.* \(batch batch_\w+\)$/);
    const batchIds = new Set(printed.map((line) => /\(batch (batch_\w+)\)$/.exec(line)?.[1]));
    expect(batchIds.size).toBe(1);
    const [batch] = batchesMentioning('The battery lasts two days');
    expect(batch.lines).toHaveLength(3);
    expect(batchIds.has(batch.batchId)).toBe(true);
  });

  it('2. Agents on a LangGraph server: the agent, the bridge and langgraph.json on a real dev server; the client prints the answer', async () => {
    const folder = await snippetFolder('server');
    folders.push(folder);
    await writeSnippets(folder, snippets, ['src/agent.ts', 'src/bridge.ts', 'langgraph.json', 'client.ts']);
    const config = JSON.parse(await readFile(path.join(folder, 'langgraph.json'), 'utf8')) as {
      graphs: Record<string, string>;
    };
    const graphs = Object.fromEntries(
      Object.entries(config.graphs).map(([id, spec]) => [id, path.resolve(folder, spec)]),
    );
    // The launcher `npx batch-bridge dev` runs, on a free port, with the README's graphs and the emulator as OpenAI.
    const server = await startLangGraphDevServer({ graphs, directory: folder, env: emulatorEnv() });
    try {
      const before = emulator.record().batches.length;
      const { code, stdout, stderr } = await runSnippet(path.join(folder, 'client.ts'), {
        LANGGRAPH_API_URL: server.url,
      });
      expect(stderr).not.toMatch(/Error/);
      expect(code).toBe(0);
      expect(stdout.trim().length).toBeGreaterThan(0);
      // The question went through one batch line, in a batch created during this run.
      const batches = batchesMentioning('What is the capital of France?');
      expect(batches).toHaveLength(1);
      expect(batches[0].lines).toHaveLength(1);
      expect(emulator.record().batches.length).toBe(before + 1);
    } catch (error) {
      console.error(server.logs().slice(-40).join('\n'));
      throw error;
    } finally {
      await server.stop();
    }
  }, 240_000);

  it('the emulator in your own tests: prints the answer and the one batch the emulator recorded', async () => {
    const folder = await snippetFolder('emulator');
    folders.push(folder);
    await writeSnippets(folder, snippets, ['emulator.ts']);
    const { code, stdout, stderr } = await runSnippet(path.join(folder, 'emulator.ts'), {});
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\S.* 1$/);
  });
});
