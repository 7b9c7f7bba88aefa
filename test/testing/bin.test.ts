import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './helpers.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the batch-bridge-emulator bin', () => {
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let exitCode: number | null | undefined;

  beforeAll(async () => {
    // tsx runs the TypeScript source; the published bin is the same file compiled to dist/testing/bin.js.
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/testing/bin.ts',
        '--port',
        '0',
        '--api-key',
        'sk-bin',
        '--allow-models',
        'my-model,other-model',
      ],
      { cwd: repositoryRoot },
    );
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => (exitCode = code));
    await waitUntil(() => stdout.includes('\n'), { timeoutMs: 15_000, description: 'the bin to print its base URL' });
  });
  afterAll(() => {
    if (exitCode === undefined) child.kill('SIGKILL');
  });

  it('prints the base URL, serves the API, and stops on SIGTERM', async () => {
    const baseURL = stdout.trim();
    expect(baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
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
