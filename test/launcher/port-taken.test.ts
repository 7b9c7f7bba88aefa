// A port already taken (port 2024 often is): `batch-bridge dev` and the test helper stop at once and say which port,
// where the dev server alone logs the failed listen and keeps running without answering.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DevServerStartError, startLangGraphDevServer } from '../../src/testing/index.js';
import { runDevUntilExit } from './support/launcher-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const graphs = { single: path.join(root, 'test/e2e/graphs/agents.ts:single') };

let taken: Server;
let port: number;
let directory: string;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as { port: number }).port;
  directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-port-taken-'));
});

afterAll(async () => {
  await new Promise((resolve) => taken?.close(resolve));
  if (directory) await rm(directory, { recursive: true, force: true });
});

it('on a taken port, the test helper and batch-bridge dev stop at once, naming the port and --port', async () => {
  const helperStart = startLangGraphDevServer({ graphs, directory, port, env: { OPENAI_API_KEY: 'sk-unused' } });
  // The helper writes langgraph.json into the folder; the CLI reads the same one.
  const failure = await helperStart.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(DevServerStartError);
  expect((failure as DevServerStartError).code).toBe('EADDRINUSE');
  expect(String(failure)).toContain(`port ${port} is taken`);

  const cli = await runDevUntilExit(['--port', String(port), '--host', '127.0.0.1', '--config', directory]);
  expect(cli?.code).toBe(1);
  expect(cli?.stderr).toContain(`batch-bridge dev: The dev server did not start: port ${port} is taken`);
  expect(cli?.stderr).toContain('--port');
});
