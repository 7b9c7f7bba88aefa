import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLocalBatchers } from '../../src/local/index.js';
import { loadSqlite } from '../../src/local/sqlite.js';
import { clearBatchCache, LocalStoreError } from '../../src/index.js';
import { startLocalEnvironment, waitFor, type LocalEnvironment } from './support/local-environment.js';

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await environment?.close();
  environment = undefined;
});

/** Opens the test's store beside the batcher's own connection, to stage what a killed process leaves behind. */
async function withStore<T>(
  directory: string,
  change: (database: import('../../src/local/sqlite.js').SqliteDatabase) => T,
): Promise<T> {
  const sqlite = await loadSqlite();
  const database = sqlite.open(path.join(directory, 'store.sqlite'), { timeout: 5_000 });
  try {
    return change(database);
  } finally {
    database.close();
  }
}

const slow = { validatingMs: 10, inProgressMs: 600_000, finalizingMs: 10 };

describe('local mode: the store', () => {
  it('finds the batch of a run killed between creating it and recording its id, instead of submitting again', async () => {
    environment = await startLocalEnvironment({ emulator: { timings: slow } });
    const { emulator, directory } = environment;
    const model = environment.provider().chat('gpt-4o-mini');
    const abort = new AbortController();
    const call = generateText({ model, prompt: 'Recorded late', abortSignal: abort.signal }).catch(
      (error: unknown) => error,
    );
    await waitFor(() => (emulator.record().batches.length === 1 ? true : undefined), 'the batch');
    await waitFor(
      () => (environment!.lines.some((line) => line.startsWith('batch-bridge: submitted batch ')) ? true : undefined),
      'the submission record',
    );
    abort.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });

    // As if the process had died before writing the batch id: a new process meets a submission without one.
    await closeLocalBatchers();
    await withStore(directory, (database) => database.prepare('UPDATE submissions SET batch_id = NULL').run());
    emulator.setTimings({ inProgressMs: 20 });
    const result = await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt: 'Recorded late' });

    expect(result.text).toBe('Echo: Recorded late');
    expect(emulator.record().batches).toHaveLength(1);
    expect(environment.lines.join('\n')).toMatch(/found batch batch_\w+ of an earlier run/);
  });

  it('submits again when the half-recorded submission never became a batch', async () => {
    environment = await startLocalEnvironment({ emulator: { timings: slow } });
    const { emulator, directory } = environment;
    const abort = new AbortController();
    const call = generateText({
      model: environment.provider().chat('gpt-4o-mini'),
      prompt: 'Never created',
      abortSignal: abort.signal,
    }).catch(() => {});
    await waitFor(
      () => (environment!.lines.some((line) => line.startsWith('batch-bridge: submitted batch ')) ? true : undefined),
      'the submission',
    );
    abort.abort();
    await call;
    await closeLocalBatchers();
    // A submission id no batch carries: the create call never reached the API.
    await withStore(directory, (database) => {
      database.prepare("UPDATE submissions SET batch_id = NULL, submission_id = 'lost-submission'").run();
      database.prepare("UPDATE requests SET submission_id = 'lost-submission'").run();
    });
    emulator.setTimings({ inProgressMs: 20 });
    const result = await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt: 'Never created' });
    expect(result.text).toBe('Echo: Never created');
    expect(emulator.record().batches).toHaveLength(2);
  });

  it('ignores the store with fresh, keeps nothing with cache: false, and forgets everything with clearBatchCache', async () => {
    environment = await startLocalEnvironment();
    const { emulator, directory } = environment;
    const ask = (settings: Parameters<LocalEnvironment['provider']>[0] = {}) =>
      generateText({ model: environment!.provider(settings).chat('gpt-4o-mini'), prompt: 'Same question' });

    await ask();
    expect((await ask()).providerMetadata?.batchBridge).toMatchObject({ fromCache: true });
    expect(emulator.record().batches).toHaveLength(1);

    expect((await ask({ local: { fresh: true } })).providerMetadata?.batchBridge).toMatchObject({ fromCache: false });
    expect(emulator.record().batches).toHaveLength(2);

    const uncached = environment
      .provider({ local: { cache: false, directory: path.join(directory, 'unused') } })
      .chat('gpt-4o-mini');
    await Promise.all([
      generateText({ model: uncached, prompt: 'Twice' }),
      generateText({ model: uncached, prompt: 'Twice' }),
    ]);
    expect(emulator.record().batches[2].lines).toHaveLength(2);
    expect(existsSync(path.join(directory, 'unused'))).toBe(false);

    expect(await clearBatchCache(directory)).toEqual({ requests: 1, batches: 0 });
    expect((await ask()).providerMetadata?.batchBridge).toMatchObject({ fromCache: false });
    expect(emulator.record().batches).toHaveLength(4);
    expect(existsSync(path.join(directory, '.gitignore'))).toBe(true);
  });

  it('refuses a store another live process holds, and one written by a newer version', async () => {
    environment = await startLocalEnvironment();
    const { directory } = environment;
    await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt: 'Open the store' });
    await closeLocalBatchers();

    // The parent of this test process is alive and on this machine, and its lease runs for another minute.
    await withStore(directory, (database) =>
      database
        .prepare('INSERT OR REPLACE INTO lease VALUES (1, ?, ?, ?, ?, ?, ?)')
        .run('parent', process.ppid, hostname(), 'parent', Date.now(), Date.now() + 60_000),
    );
    const busy = await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt: 'Busy' }).catch(
      (error: unknown) => error,
    );
    expect(busy).toBeInstanceOf(LocalStoreError);
    expect((busy as Error).message).toMatch(new RegExp(`in use by process ${process.ppid}`));

    await withStore(directory, (database) => {
      database.prepare('DELETE FROM lease').run();
      database.pragma('user_version = 99');
    });
    const newer = await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt: 'Newer' }).catch(
      (error: unknown) => error,
    );
    expect(newer).toBeInstanceOf(LocalStoreError);
    expect((newer as Error).message).toMatch(/newer batch-bridge \(schema 99/);
  });
});
