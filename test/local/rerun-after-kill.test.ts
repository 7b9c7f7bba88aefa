import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killScripts, runScript, stillRunning, type ScriptRun } from './support/child-script.js';
import { startLocalEnvironment, testApiKey, waitFor, type LocalEnvironment } from './support/local-environment.js';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/batch-script.ts');

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await killScripts();
  await environment?.close();
  environment = undefined;
});

interface ScriptResult {
  prompt: string;
  text: string;
  batchBridge: { batchId: string; customId: string; fromCache: boolean; mode: string };
}

async function finished(run: ScriptRun): Promise<ScriptResult[]> {
  const { code } = await run.exited;
  if (code !== 0) throw new Error(`The script exited with ${code}:\n${run.stderr()}`);
  return JSON.parse(run.stdout()) as ScriptResult[];
}

// Three Node processes start here; on a loaded machine each takes seconds to load tsx and LangGraph.
const childTimeoutMs = 60_000;

describe('local mode: a script killed mid-batch and run again', () => {
  it(
    'reattaches to the batch in flight, submits only new requests, and answers a third run from the store alone',
    async () => {
      // A batch that stays in_progress until the test lets it finish.
      environment = await startLocalEnvironment({
        emulator: { timings: { validatingMs: 10, inProgressMs: 600_000, finalizingMs: 10 } },
      });
      const { emulator, directory } = environment;
      const env = (count: number) => ({
        OPENAI_BASE_URL: emulator.baseURL,
        OPENAI_API_KEY: testApiKey,
        STORE_DIRECTORY: directory,
        PROMPT_COUNT: String(count),
      });

      const first = runScript(script, env(30));
      await waitFor(
        () => (stillRunning(first) && emulator.record().batches.length === 1 ? true : undefined),
        'the first run to create its batch',
        childTimeoutMs,
      );
      // Killed once the batch id is recorded (a kill just before that is covered in batch-store.test.ts).
      await waitFor(
        () => (stillRunning(first) && /submitted batch batch_/.test(first.stderr()) ? true : undefined),
        'the first run to record its batch',
        childTimeoutMs,
      );
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const [killedBatch] = emulator.record().batches;
      expect(killedBatch.lines).toHaveLength(30);

      // The same 30 rows and 10 new ones: the 30 wait for the batch in flight, only the 10 are submitted.
      const second = runScript(script, env(40));
      await waitFor(
        () =>
          stillRunning(second) &&
          second.stderr().includes(`reattached to batch ${emulator.record().batches[0].batchId}`)
            ? true
            : undefined,
        'the second run to reattach',
        childTimeoutMs,
      );
      await waitFor(
        () => (stillRunning(second) && emulator.record().batches.length === 2 ? true : undefined),
        'the second run to submit the new rows',
        childTimeoutMs,
      );
      emulator.setTimings({ inProgressMs: 20 });
      const answers = await finished(second);

      expect(answers).toHaveLength(40);
      for (const answer of answers) expect(answer.text).toBe(`Echo: ${answer.prompt}`);
      const counts = emulator.submittedCounts();
      expect(counts.size).toBe(40);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      const batches = emulator.record().batches;
      expect(batches).toHaveLength(2);
      expect(batches[1].lines).toHaveLength(10);
      expect(answers.slice(0, 30).every((answer) => answer.batchBridge.batchId === killedBatch.batchId)).toBe(true);
      expect(answers.slice(30).every((answer) => answer.batchBridge.batchId === batches[1].batchId)).toBe(true);
      expect(answers.every((answer) => answer.batchBridge.mode === 'local' && !answer.batchBridge.fromCache)).toBe(
        true,
      );

      // The third run: every answer from the store, not one API call.
      const before = emulator.record();
      const third = runScript(script, env(40));
      const cached = await finished(third);
      expect(cached.map((answer) => answer.text)).toEqual(answers.map((answer) => answer.text));
      expect(cached.every((answer) => answer.batchBridge.fromCache)).toBe(true);
      expect(emulator.record().calls).toEqual(before.calls);
      expect(emulator.record().syncCalls).toBe(before.syncCalls);
      expect(third.stderr()).toMatch(
        /local mode .*store .*store\.sqlite.*Ctrl-C leaves submitted batches running at OpenAI/,
      );

      // Nothing secret went into the store.
      for (const file of ['store.sqlite', 'store.sqlite-wal']) {
        const bytes = await readFile(path.join(directory, file)).catch(() => Buffer.alloc(0));
        expect(bytes.includes(testApiKey)).toBe(false);
      }
    },
    3 * childTimeoutMs,
  );
});
