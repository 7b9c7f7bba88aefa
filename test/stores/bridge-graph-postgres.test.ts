// The bridge graph itself, in-process on PostgreSQL (PostgresSaver + PostgresStore), each run in a process of its own:
// requests handed over by several processes at once, a bridge process killed between creating the batch and recording
// it, a new process that finds the batch, polls it and resumes every thread. The emulator's record says each request
// was submitted once.
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { killScripts, runScript } from '../local/support/child-script.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { emulatorKey } from './support/bridge-on-store.js';

let database: TestDatabase | undefined;
let emulator: RunningEmulator;

beforeAll(async () => {
  database = await testDatabase('bridge_graph');
  // The schema once, before any process starts: setup() is not safe to run from several processes at once on an empty
  // database (two CREATE TABLE IF NOT EXISTS race in pg_type and one fails with 23505).
  const checkpointer = PostgresSaver.fromConnString(database.url);
  const store = PostgresStore.fromConnString(database.url);
  try {
    await checkpointer.setup();
    await store.setup();
  } finally {
    await checkpointer.end();
    await store.stop();
  }
  emulator = await startOpenAIBatchEmulator({
    apiKey: emulatorKey,
    timings: { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 },
  });
});

afterEach(() => killScripts());

afterAll(async () => {
  await emulator?.close();
  await database?.drop();
});

const bridgeId = 'batch_bridge';

async function bridgeRun(event: object, crashAt?: 'batch-id') {
  const run = runScript('test/stores/support/bridge-process.ts', {
    DATABASE_URL: database!.url,
    EMULATOR_URL: emulator.baseURL,
    EMULATOR_KEY: emulatorKey,
    BRIDGE_ID: bridgeId,
    BRIDGE_EVENT: JSON.stringify(event),
    ...(crashAt ? { BRIDGE_CRASH_AT: crashAt } : {}),
  });
  const { code } = await run.exited;
  const resumes = run
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { threadId: string; resume: Record<string, { outcome: { type: string } }> });
  return { code, resumes, stderr: run.stderr() };
}

describe('the bridge graph on PostgreSQL, one process per run', () => {
  it('takes hand-overs from several processes, survives a death at submission, and submits every request once', async () => {
    const handOvers = await Promise.all(
      ['agent-a', 'agent-b', 'agent-c'].map((name) =>
        runScript('test/stores/support/hand-over-process.ts', {
          DATABASE_URL: database!.url,
          BRIDGE_ID: bridgeId,
          HAND_OVERS: '7',
          PROCESS_NAME: name,
        }),
      ),
    );
    const threads = (
      await Promise.all(
        handOvers.map(async (run) => {
          const { code } = await run.exited;
          expect(code, run.stderr()).toBe(0);
          return JSON.parse(run.stdout()) as string[];
        }),
      )
    ).flat();
    expect(threads).toHaveLength(21);

    // The first bridge process takes in the inbox, submits one batch and dies before it records the batch id.
    const crashed = await bridgeRun({ type: 'inbox' }, 'batch-id');
    expect(crashed.code, crashed.stderr).toBe(137);
    expect(emulator.record().batches.map((batch) => batch.lines.length)).toEqual([21]);

    // A new process: its tick finds the batch by its tag, polls it until it ends, and resumes every thread.
    const resumed = new Map<string, string>();
    let lastRun = '';
    for (let tick = 0; tick < 50 && resumed.size < threads.length; tick += 1) {
      const run = await bridgeRun({ type: 'tick' });
      expect(run.code, run.stderr).toBe(0);
      lastRun = run.stderr;
      for (const { threadId, resume } of run.resumes) resumed.set(threadId, Object.values(resume)[0].outcome.type);
    }
    expect([...resumed.keys()].sort(), `the last tick said: ${lastRun}`).toEqual([...threads].sort());
    expect(new Set(resumed.values())).toEqual(new Set(['success']));
    expect(emulator.record().batches).toHaveLength(1);
    expect([...emulator.submittedCounts().values()].every((count) => count === 1)).toBe(true);
  });
});
