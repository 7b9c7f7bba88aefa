import { LocalStoreError } from './errors.js';
import { openNodeSqlite } from './node-sqlite.js';

/** The part of a SQLite driver the store uses: better-sqlite3's API, which node:sqlite is adapted to. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

/** A transaction function; `.immediate` takes the write lock at BEGIN, before anything is read. */
export type SqliteTransaction<Arguments extends unknown[], Result> = ((...parameters: Arguments) => Result) & {
  immediate: (...parameters: Arguments) => Result;
};

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<Arguments extends unknown[], Result>(
    run: (...parameters: Arguments) => Result,
  ): SqliteTransaction<Arguments, Result>;
  close(): void;
}

/** Which SQLite the store runs on: Node's built-in module where the runtime has one, else better-sqlite3. */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

export interface SqliteDriver {
  name: SqliteDriverName;
  /** Opens (creating if needed) a database file; `timeout` is the busy timeout in milliseconds. */
  open(file: string, options: { timeout: number }): SqliteDatabase;
}

type BetterSqliteConstructor = new (file: string, options?: { timeout?: number }) => SqliteDatabase;

let loaded: Promise<SqliteDriver> | undefined;

// A specifier in a variable: TypeScript would otherwise look for the package's (absent) type declarations.
const betterSqlitePackage = 'better-sqlite3';

/**
 * The SQLite driver, loaded on first use only, so that the server mode never loads one. Node 22.13+ (and 23.4+)
 * has `node:sqlite` built in and needs nothing installed; Node 20 needs the better-sqlite3 package, and a missing or
 * broken build says what it is for and what to do instead of failing at import time.
 */
export function loadSqlite(): Promise<SqliteDriver> {
  loaded ??= Promise.resolve().then(async () => {
    const builtIn = openNodeSqlite();
    if (builtIn) return { name: 'node:sqlite', open: builtIn } satisfies SqliteDriver;
    const Database = await import(betterSqlitePackage).then(
      (module: { default: unknown }) => module.default as BetterSqliteConstructor,
      (error: unknown) => {
        loaded = undefined;
        throw betterSqliteMissing(error);
      },
    );
    return { name: 'better-sqlite3', open: (file, options) => new Database(file, options) } satisfies SqliteDriver;
  });
  return loaded;
}

function betterSqliteMissing(error: unknown): LocalStoreError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new LocalStoreError(
    `batch-bridge local mode keeps its store (answers already paid for, batches in flight to reattach after a ` +
      `restart) in a SQLite file. Node ${process.versions.node} has no built-in node:sqlite (Node 22.13+ has), so ` +
      `it needs the better-sqlite3 package (npm install better-sqlite3@12), which could not be loaded: ${reason}. ` +
      'Alternatively run on Node 22.13 or newer, or pass local: { cache: false } to createBatchOpenAI to run without a store.',
  );
}

/** SQLite's primary result codes for "another connection holds the lock". */
const sqliteBusy = 5;
const sqliteLocked = 6;

/**
 * True for SQLite's "another connection holds the lock" errors (SQLITE_BUSY and its extended codes, SQLITE_LOCKED),
 * which the drivers throw once the busy timeout has passed, and at once for some steps (a journal mode change).
 * better-sqlite3 names the code (`code: 'SQLITE_BUSY'`); node:sqlite gives `code: 'ERR_SQLITE_ERROR'` and the
 * (possibly extended) number in `errcode`.
 */
export function isBusyError(error: unknown): boolean {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  if (typeof errcode !== 'number') return false;
  const primary = errcode & 0xff;
  return primary === sqliteBusy || primary === sqliteLocked;
}

/** The name of a busy error's code, for a message: SQLITE_BUSY whichever driver threw it. */
export function busyCodeOf(error: unknown): string {
  const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  return typeof errcode === 'number' && (errcode & 0xff) === sqliteLocked ? 'SQLITE_LOCKED' : 'SQLITE_BUSY';
}
