import { LocalStoreError } from './errors.js';
import type { SqliteDatabase } from './sqlite.js';

/**
 * Bumped on any change to the tables below; a file of a newer version is refused rather than misread. Version 2
 * replaced the host-and-pid owner row (version 1, dropped on upgrade) with a lease that holds across hosts.
 */
export const storeSchemaVersion = 2;

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
DROP TABLE IF EXISTS owner;
CREATE TABLE IF NOT EXISTS lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  process_space TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

/** Creates the tables of a new file, or checks that an existing one is a version this code can read. */
export function prepareSchema(database: SqliteDatabase, file: string): void {
  // WAL keeps every committed transaction through a SIGKILL, and lets a second reader (clearBatchCache) in.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // One write transaction: a second process starting at the same moment waits, then finds the tables made.
  database
    .transaction(() => {
      const version = Number(database.pragma('user_version', { simple: true }));
      if (version > storeSchemaVersion) {
        throw new LocalStoreError(
          `The batch-bridge store ${file} was written by a newer batch-bridge (schema ${version}; this one reads ${storeSchemaVersion}). ` +
            'Upgrade batch-bridge, or use another local.directory.',
        );
      }
      database.exec(schema);
      database.pragma(`user_version = ${storeSchemaVersion}`);
    })
    .immediate();
}
