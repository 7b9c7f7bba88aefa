import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { busyCodeOf, isBusyError, loadSqlite, type SqliteDatabase } from '../../src/local/sqlite.js';
import { startLocalEnvironment, type LocalEnvironment } from './support/local-environment.js';

/**
 * The store runs on node:sqlite where Node has it unflagged (22.13+, 23.4+) and on better-sqlite3 elsewhere (Node 20).
 * These tests run against whichever the current Node gets: `npm test` on Node 20 checks better-sqlite3, and the same
 * file run under Node 22 (`npx node@22 node_modules/vitest/vitest.mjs run test/local`) checks node:sqlite, behind the
 * one SqliteDatabase interface the store uses.
 */
const [major, minor] = process.versions.node.split('.').map(Number);
const expectedDriver =
  major > 23 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13) ? 'node:sqlite' : 'better-sqlite3';

let environment: LocalEnvironment | undefined;
let folder: string | undefined;
const databases: SqliteDatabase[] = [];

afterEach(async () => {
  for (const database of databases.splice(0)) database.close();
  await environment?.close();
  environment = undefined;
  if (folder) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

/** Two connections to one fresh file, as two processes would have; the second gives up on a lock at once. */
async function twoConnections(): Promise<[SqliteDatabase, SqliteDatabase]> {
  const sqlite = await loadSqlite();
  folder = await mkdtemp(path.join(tmpdir(), 'batch-bridge-sqlite-'));
  const file = path.join(folder, 'test.sqlite');
  const first = sqlite.open(file, { timeout: 5_000 });
  first.pragma('journal_mode = WAL');
  first.exec('CREATE TABLE items (name TEXT PRIMARY KEY, count INTEGER NOT NULL)');
  const second = sqlite.open(file, { timeout: 0 });
  databases.push(first, second);
  return [first, second];
}

describe(`local mode: the store's SQLite on Node ${process.versions.node} is ${expectedDriver}`, () => {
  it('a script in local mode says which SQLite its store runs on, and answers a repeated call from it', async () => {
    environment = await startLocalEnvironment();
    const model = () => environment!.provider().chat('gpt-4o-mini');
    const first = await generateText({ model: model(), prompt: 'Which SQLite?' });
    const second = await generateText({ model: model(), prompt: 'Which SQLite?' });

    expect((await loadSqlite()).name).toBe(expectedDriver);
    expect(environment.lines.find((line) => line.includes('local mode'))).toContain(`(SQLite: ${expectedDriver})`);
    expect(second.text).toBe(first.text);
    expect(second.providerMetadata?.batchBridge).toMatchObject({ fromCache: true });
  });

  it('a transaction commits on return, rolls back on a throw, and a nested one rolls back alone', async () => {
    const [database] = await twoConnections();
    const insert = database.prepare('INSERT INTO items (name, count) VALUES (?, ?)');
    const names = () =>
      (database.prepare('SELECT name FROM items ORDER BY name').all() as { name: string }[]).map((row) => row.name);

    expect(database.transaction((name: string) => insert.run(name, 1).changes)('kept')).toBe(1);
    expect(() =>
      database.transaction(() => {
        insert.run('undone', 1);
        throw new Error('stop');
      })(),
    ).toThrow('stop');
    database.transaction(() => {
      insert.run('outer', 1);
      database.transaction(() => insert.run('inner kept', 1))();
      expect(() =>
        database.transaction(() => {
          insert.run('inner undone', 1);
          insert.run('inner undone', 2); // the primary key refuses it: this inner transaction is undone, the outer goes on
        })(),
      ).toThrow();
    })();

    expect(names()).toEqual(['inner kept', 'kept', 'outer']);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('table_info(items)')).toHaveLength(2);
  });

  it("an immediate transaction holds the write lock from BEGIN: another connection's write is a busy error", async () => {
    const [first, second] = await twoConnections();
    let secondError: unknown;
    first
      .transaction(() => {
        try {
          second.prepare('INSERT INTO items (name, count) VALUES (?, ?)').run('late', 1);
        } catch (error) {
          secondError = error;
        }
      })
      .immediate();

    expect(isBusyError(secondError)).toBe(true);
    expect(busyCodeOf(secondError)).toBe('SQLITE_BUSY');
    // Once the lock is free, the same write goes through.
    expect(second.prepare('INSERT INTO items (name, count) VALUES (?, ?)').run('late', 1).changes).toBe(1);
  });

  it('other SQLite errors are not taken for a busy store', async () => {
    const [database] = await twoConnections();
    database.prepare('INSERT INTO items (name, count) VALUES (?, ?)').run('one', 1);
    let duplicate: unknown;
    try {
      database.prepare('INSERT INTO items (name, count) VALUES (?, ?)').run('one', 2);
    } catch (error) {
      duplicate = error;
    }
    expect(duplicate).toBeInstanceOf(Error);
    expect(isBusyError(duplicate)).toBe(false);
    expect(isBusyError(new Error('database is locked'))).toBe(false);
  });
});
