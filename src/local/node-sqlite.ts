import type { SqliteDatabase, SqliteStatement, SqliteTransaction } from './sqlite.js';

/** The part of node:sqlite's API used here (@types/node 20 does not declare the module). */
interface NodeStatement {
  run(...parameters: unknown[]): { changes: number | bigint };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}

type NodeDatabaseConstructor = new (file: string) => NodeDatabase;

/**
 * node:sqlite's DatabaseSync where the runtime has it without a flag (Node 22.13+, 23.4+), else undefined. Loaded
 * with process.getBuiltinModule, synchronously, so that the one ExperimentalWarning Node prints on loading it (this
 * module is used for a private store file, through the small API below) is held back and no other warning is.
 */
export function openNodeSqlite(): ((file: string, options: { timeout: number }) => SqliteDatabase) | undefined {
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return undefined;
  const emitWarning = process.emitWarning;
  let sqlite: { DatabaseSync?: NodeDatabaseConstructor } | undefined;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/^SQLite is an experimental feature/.test(text)) return;
    (emitWarning as (...parameters: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    sqlite = getBuiltinModule.call(process, 'node:sqlite') as typeof sqlite;
  } catch {
    sqlite = undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
  const DatabaseSync = sqlite?.DatabaseSync;
  if (typeof DatabaseSync !== 'function') return undefined;
  return (file, { timeout }) => adapt(new DatabaseSync(file), timeout);
}

/** better-sqlite3's API (as SqliteDatabase declares it) on a node:sqlite database. */
function adapt(database: NodeDatabase, busyTimeoutMs: number): SqliteDatabase {
  // The busy timeout as a pragma rather than the constructor's `timeout` option, which came later (22.16, 23.10).
  database.exec(`PRAGMA busy_timeout = ${Math.floor(busyTimeoutMs)}`);
  let depth = 0;

  const prepare = (sql: string): SqliteStatement => {
    const statement = database.prepare(sql);
    return {
      run: (...parameters) => ({ changes: Number(statement.run(...parameters).changes) }),
      get: (...parameters) => statement.get(...parameters),
      all: (...parameters) => statement.all(...parameters),
    };
  };

  /** Runs `body` in a transaction (a savepoint when nested), committed on return and rolled back on a throw. */
  const inTransaction = <Result>(begin: string, body: () => Result): Result => {
    const savepoint = depth > 0 ? `batch_bridge_${depth}` : undefined;
    database.exec(savepoint ? `SAVEPOINT ${savepoint}` : begin);
    depth += 1;
    try {
      const result = body();
      database.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
      return result;
    } catch (error) {
      try {
        database.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
      } catch {
        // SQLite already rolled the transaction back (some errors do): the first error is the one to report.
      }
      throw error;
    } finally {
      depth -= 1;
    }
  };

  return {
    prepare,
    exec: (sql) => database.exec(sql),
    pragma(source, options) {
      const statement = database.prepare(`PRAGMA ${source}`);
      if (!options?.simple) return statement.all();
      const row = statement.get() as Record<string, unknown> | undefined;
      return row ? Object.values(row)[0] : undefined;
    },
    transaction<Arguments extends unknown[], Result>(run: (...parameters: Arguments) => Result) {
      const deferred = (...parameters: Arguments) => inTransaction('BEGIN', () => run(...parameters));
      const immediate = (...parameters: Arguments) => inTransaction('BEGIN IMMEDIATE', () => run(...parameters));
      return Object.assign(deferred, { immediate }) as SqliteTransaction<Arguments, Result>;
    },
    close: () => database.close(),
  };
}
