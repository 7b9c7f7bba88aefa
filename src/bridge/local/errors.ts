/** The local store cannot be used: better-sqlite3 is missing, the file is from a newer version, or another process holds it. */
export class LocalStoreError extends Error {
  override name = 'LocalStoreError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
