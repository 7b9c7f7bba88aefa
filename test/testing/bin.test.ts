import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './helpers.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the bin to its end (for --help and refused flags): its exit code and what it printed. */
async function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/testing/bin.ts', ...args],
      { cwd: repositoryRoot },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('batch-bridge-emulator --help and refused flags', () => {
  it('says what it is, that the port is random without --port, what --seed does, every flag, and an example', async () => {
    const { code, stdout } = await runBin(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/offline OpenAI Batch API/);
    expect(stdout).toMatch(/--port N[\s\S]*free port is picked at random/);
    expect(stdout).toMatch(/--seed N[\s\S]*order in which each batch's output lines are shuffled/);
    for (const flag of ['--port', '--host', '--api-key', '--seed', '--allow-models', '--help']) {
      expect(stdout).toMatch(new RegExp(`^  (-h, )?${flag} `, 'm'));
    }
    expect(stdout).toMatch(/Example:\n {2}batch-bridge-emulator --port 8089/);
    expect((await runBin(['-h'])).stdout).toBe(stdout);
  });

  it('refuses a bad value or an unknown flag, naming it, and points at --help', async () => {
    const badSeed = await runBin(['--seed', 'seven']);
    expect(badSeed.code).toBe(1);
    expect(badSeed.stderr).toMatch(/--seed must be an integer, not seven\.\nRun batch-bridge-emulator --help/);
    const unknown = await runBin(['--prot', '8089']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown option '--prot'[\s\S]*--help/);
  });
});

describe('the batch-bridge-emulator bin', () => {
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let exitCode: number | null | undefined;

  beforeAll(async () => {
    // tsx runs the TypeScript source; the published bin is the same file compiled to dist/testing/bin.js.
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/testing/bin.ts', '--api-key', 'sk-bin', '--allow-models', 'my-model,other-model'],
      { cwd: repositoryRoot },
    );
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => (exitCode = code));
    await waitUntil(() => stdout.includes('\n'), { timeoutMs: 15_000, description: 'the bin to print its base URL' });
  });
  afterAll(() => {
    if (exitCode === undefined) child.kill('SIGKILL');
  });

  it('without --port, listens on a free port and prints its base URL, serves the API, and stops on SIGTERM', async () => {
    const baseURL = stdout.trim();
    expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(Number(new URL(baseURL).port)).toBeGreaterThan(0);
    const response = await fetch(`${baseURL}/files`, { headers: { authorization: 'Bearer sk-bin' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: 'list', data: [] });
    const chat = (model: string) =>
      fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-bin', 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      });
    expect((await chat('my-model')).status).toBe(200);
    expect((await chat('other-model')).status).toBe(200);
    expect(await (await chat('gpt-4o-mnii')).json()).toMatchObject({ error: { code: 'model_not_found' } });
    child.kill('SIGTERM');
    await waitUntil(() => exitCode !== undefined, { description: 'the bin to exit' });
    expect(exitCode).toBe(0);
  });
});
