import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleInputs } from '../../scripts/demo/example-inputs.js';
import { probeLangGraphServer } from '../../scripts/demo/server-probe.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a script of scripts/demo as its npm script does; resolves with its exit code, output and wall time. */
async function runScript(script: string, ...args: string[]) {
  const started = Date.now();
  const result = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, OPENAI_API_KEY: '' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
  );
  return { ...result, elapsedMs: Date.now() - started };
}

/** A port nothing listens on: the OS gives it, and it is closed again at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const silentServers: Server[] = [];
const silentSockets: Socket[] = [];
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all(silentServers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('npm run example: a mistyped graph', () => {
  it('is named, with the nearest graph and all of them, and nothing is started', async () => {
    const { code, stdout, stderr } = await runScript('scripts/demo/run-example.ts', 'singel_node_agent');
    expect(code).toBe(2);
    expect(stderr).toContain("npm run example: unknown graph 'singel_node_agent'. Did you mean 'single_node_agent'?");
    expect(stderr).toContain(`Valid graphs: ${Object.keys(exampleInputs).join(', ')}.`);
    expect(stdout).not.toContain('emulator');
  });
});

describe('npm start: mistyped flags and a --url where no server answers', () => {
  it('names a mistyped flag, with the nearest flag and all of them', async () => {
    const { code, stderr } = await runScript('scripts/demo/start.ts', '--cuont', '10');
    expect(code).toBe(2);
    expect(stderr).toContain(
      "npm start: unknown option '--cuont'. Did you mean '--count'? Valid options: --model, --count, --url, --real, --help.",
    );
  });

  it("says at once, without the SDK's retries, that no server answers at a dead port", async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const { code, stderr, elapsedMs } = await runScript('scripts/demo/start.ts', '--url', url, '--count', '10');
    expect(code).toBe(1);
    expect(stderr).toContain(`No LangGraph server answers at ${url} (connection refused or failed)`);
    expect(stderr).toContain('leave out --url');
    // The LangGraph SDK retries a dead port for 20-30 s; one probe is refused at once. The bound is wide for Node and
    // tsx starting on a loaded machine, and still well under the SDK's retries.
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('gives up on a server that takes the connection but never answers, after the probe timeout of 1.5 s', async () => {
    const silent = createServer((socket) => void silentSockets.push(socket));
    silentServers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const started = Date.now();
    const error = await probeLangGraphServer(url).catch((caught: Error) => caught);
    expect((error as Error).message).toContain(`No LangGraph server answers at ${url} (no answer within 1.5 s)`);
    // The probe's one timeout, not a wait for the connection to end; wide for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
