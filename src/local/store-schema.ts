import { hostname } from 'node:os';
import { LocalStoreError } from './errors.js';
import type { SqliteDatabase } from './sqlite.js';

/** Bumped on any change to the tables below; a file of a newer version is refused rather than misread. */
export const storeSchemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS submissions (
  submission_id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  batch_id TEXT,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  submitted_at INTEGER
);
CREATE TABLE IF NOT EXISTS requests (
  scope TEXT NOT NULL,
  digest TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('in_flight', 'retry', 'answered')),
  attempt INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  submission_id TEXT,
  custom_id TEXT,
  delivered TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, digest)
);
CREATE INDEX IF NOT EXISTS requests_by_submission ON requests (submission_id);
CREATE TABLE IF NOT EXISTS owner (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  since INTEGER NOT NULL
);
`;

/** Creates the tables of a new file, or checks that an existing one is a version this code can read. */
export function prepareSchema(database: SqliteDatabase, file: string): void {
  // WAL keeps every committed transaction through a SIGKILL, and lets a second reader (clearBatchCache) in.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  const version = Number(database.pragma('user_version', { simple: true }));
  if (version > storeSchemaVersion) {
    throw new LocalStoreError(
      `The batch-bridge store ${file} was written by a newer batch-bridge (schema ${version}; this one reads ${storeSchemaVersion}). ` +
        'Upgrade batch-bridge, or use another local.directory.',
    );
  }
  database.exec(schema);
  database.pragma(`user_version = ${storeSchemaVersion}`);
}

/**
 * One process per store: two scripts sharing one would each submit what the other has not recorded yet. A holder
 * that is gone (killed, exited) is replaced; a live one on this machine is an error that says which process it is.
 */
export function claimStore(database: SqliteDatabase, file: string): () => void {
  const here = hostname();
  const claim = database.transaction(() => {
    const holder = database.prepare('SELECT pid, host FROM owner WHERE id = 1').get() as
      { pid: number; host: string } | undefined;
    if (holder && holder.pid !== process.pid && holder.host === here && isAlive(holder.pid)) {
      throw new LocalStoreError(
        `The batch-bridge store ${file} is in use by process ${holder.pid}. Wait for it to finish, or give this run another local.directory.`,
      );
    }
    database
      .prepare('INSERT OR REPLACE INTO owner (id, pid, host, since) VALUES (1, ?, ?, ?)')
      .run(process.pid, here, Date.now());
  });
  claim();
  return () => {
    try {
      database.prepare('DELETE FROM owner WHERE id = 1 AND pid = ?').run(process.pid);
    } catch {
      // The database may be closed already; a stale claim is replaced by the next run anyway.
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
