/**
 * The local store cannot be used: no SQLite (Node 20 without better-sqlite3), the file is from a newer version, another process holds
 * its lease (or took it over), or SQLite kept it locked. The message says what to do.
 */
export class LocalStoreError extends Error {
  override name = 'LocalStoreError';
}
