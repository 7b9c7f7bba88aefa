import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findFreePort,
  startLangGraphDevServer,
  type RunningLangGraphDevServer,
} from '../../src/testing/langgraph-dev-server.js';
import { runDevUntilExit } from './support/launcher-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const graphs = { single: path.join(root, 'test/e2e/graphs/agents.ts:single') };
const opsFile = '.langgraphjs_ops.json';
const checkpointFile = '.langgraphjs_api.checkpointer.json';

let directory: string;
let server: RunningLangGraphDevServer | undefined;
let threadId: string;

const start = async () =>
  (server = await startLangGraphDevServer({ graphs, directory, env: { OPENAI_API_KEY: 'sk-unused' } }));
const stop = async () => {
  await server?.stop();
  server = undefined;
};
const dataFile = (name: string) => path.join(directory, '.langgraph_api', name);

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-damaged-'));
  // A thread: the first start saves it, the second start keeps a last good copy of every data file.
  const first = await start();
  const client = new Client({ apiUrl: first.url });
  threadId = (await client.threads.create({ metadata: { kept: 'yes' } })).thread_id;
  await stop();
  await start();
  await stop();
});

afterAll(async () => {
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('a damaged data file at start', () => {
  it('an empty file is restored from its last good copy, and the launcher says so', async () => {
    await truncate(dataFile(opsFile), 0);
    const restarted = await start();
    expect(restarted.logs().join('\n')).toMatch(
      /\.langgraphjs_ops\.json is empty \(0 bytes\): restored its last good copy/,
    );
    const thread = await new Client({ apiUrl: restarted.url }).threads.get(threadId);
    expect(thread.metadata).toMatchObject({ kept: 'yes' });
    await stop();
  });

  it('a file cut mid-write is restored too', async () => {
    const text = await readFile(dataFile(checkpointFile), 'utf8');
    await writeFile(dataFile(checkpointFile), text.slice(0, Math.floor(text.length / 2)));
    const restarted = await start();
    expect(restarted.logs().join('\n')).toMatch(/checkpointer\.json is cut or damaged .*: restored its last good copy/);
    expect(await readFile(dataFile(checkpointFile), 'utf8')).toBe(text);
    await stop();
  });

  it('with no good copy left, batch-bridge dev refuses to start and says what to do', async () => {
    await rm(path.join(directory, '.langgraph_api', '.last-good'), { recursive: true, force: true });
    await truncate(dataFile(opsFile), 0);
    const port = await findFreePort();
    const failure = await runDevUntilExit(['--port', String(port), '--config', directory]);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`${dataFile(opsFile)} is empty (0 bytes), and there is no good copy of it`);
    expect(failure?.stderr).toContain(`mv '${dataFile(opsFile)}' '${dataFile(opsFile)}.damaged'`);
    // Nothing answers on the port: no server was started, empty or not.
    await expect(fetch(`http://127.0.0.1:${port}/ok`)).rejects.toThrow();
    // The test helper refuses the same way.
    await expect(start()).rejects.toThrow(/no good copy of it/);
  });
});
