/**
 * The local store cannot be used: better-sqlite3 is missing, the file is from a newer version, another process holds
 * its lease (or took it over), or SQLite kept it locked. The message says what to do.
 */
export class LocalStoreError extends Error {
  override name = 'LocalStoreError';
}
