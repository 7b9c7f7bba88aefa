import { LocalStoreError } from './errors.js';

/** The part of better-sqlite3 the store uses (the package ships no types and @types/better-sqlite3 is not installed). */
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

type SqliteConstructor = new (file: string, options?: { timeout?: number }) => SqliteDatabase;

let loaded: Promise<SqliteConstructor> | undefined;

// A specifier in a variable: TypeScript would otherwise look for the package's (absent) type declarations.
const sqlitePackage = 'better-sqlite3';

/**
 * Loads better-sqlite3 on first use only, so that the server mode never loads a native module it does not need, and
 * a missing or broken build says what to do instead of failing at import time.
 */
export function loadSqlite(): Promise<SqliteConstructor> {
  loaded ??= import(sqlitePackage).then(
    (module: { default: unknown }) => module.default as SqliteConstructor,
    (error: unknown) => {
      loaded = undefined;
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new LocalStoreError(
        'batch-bridge local mode keeps its store in SQLite and needs the better-sqlite3 package (version 12 on Node 20: ' +
          `npm install better-sqlite3@12), which could not be loaded: ${reason}. ` +
          'To run without a store, pass local: { cache: false } to createBatchOpenAI.',
      );
    },
  );
  return loaded;
}

/**
 * True for SQLite's "another connection holds the lock" errors (SQLITE_BUSY and its extended codes, SQLITE_LOCKED),
 * which better-sqlite3 throws once its busy timeout has passed, and at once for some steps (a journal mode change).
 */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}
