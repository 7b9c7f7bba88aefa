/** The local store cannot be used: better-sqlite3 is missing, the file is from a newer version, or another process holds it. */
export class LocalStoreError extends Error {
  override name = 'LocalStoreError';
}
