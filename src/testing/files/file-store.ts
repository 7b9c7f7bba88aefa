import { newIdentifier, unixSeconds } from '../identifiers.js';

export interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  bytes: number;
  createdAt: number;
  expiresAt: number | null;
  /** When the file is gone, in milliseconds: from then on it is not found, as OpenAI deletes expired files. */
  expiresAtMs: number | null;
  content: Buffer;
  /** Creation order; timestamps are whole seconds and would tie. */
  sequence: number;
}

const thirtyDaysInSeconds = 30 * 24 * 3600;

/** Purposes whose files OpenAI expires after 30 days unless told otherwise; other files live until deleted. */
const purposesExpiringByDefault = new Set(['batch', 'batch_output']);

export interface FileListQuery {
  purpose?: string;
  order: 'asc' | 'desc';
  after?: string;
  limit: number;
}

function isExpired(file: StoredFile): boolean {
  return file.expiresAtMs !== null && Date.now() >= file.expiresAtMs;
}

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private nextSequence = 0;

  /** `ttlMs` (an injected short life) wins over `expiresAfterSeconds` and the purpose's default. */
  add(input: {
    purpose: string;
    filename: string;
    content: Buffer;
    expiresAfterSeconds?: number;
    ttlMs?: number;
  }): StoredFile {
    const now = Date.now();
    const createdAt = unixSeconds(now);
    const lifetime =
      input.expiresAfterSeconds ?? (purposesExpiringByDefault.has(input.purpose) ? thirtyDaysInSeconds : undefined);
    let expiresAt = lifetime === undefined ? null : createdAt + lifetime;
    let expiresAtMs = lifetime === undefined ? null : now + lifetime * 1000;
    if (input.ttlMs !== undefined) {
      expiresAtMs = now + input.ttlMs;
      expiresAt = Math.ceil(expiresAtMs / 1000);
    }
    const file: StoredFile = {
      id: newIdentifier('file-', 22),
      purpose: input.purpose,
      filename: input.filename,
      bytes: input.content.byteLength,
      createdAt,
      expiresAt,
      expiresAtMs,
      content: input.content,
      sequence: this.nextSequence++,
    };
    this.files.set(file.id, file);
    return file;
  }

  get(id: string): StoredFile | undefined {
    const file = this.files.get(id);
    if (file && isExpired(file)) {
      this.files.delete(id);
      return undefined;
    }
    return file;
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  list(query: FileListQuery): { data: StoredFile[]; hasMore: boolean } {
    const direction = query.order === 'asc' ? 1 : -1;
    const ordered = [...this.files.values()]
      .filter((file) => !isExpired(file))
      .filter((file) => query.purpose === undefined || file.purpose === query.purpose)
      .sort((left, right) => direction * (left.sequence - right.sequence));
    const start = query.after === undefined ? 0 : ordered.findIndex((file) => file.id === query.after) + 1;
    const data = ordered.slice(start, start + query.limit);
    return { data, hasMore: start + query.limit < ordered.length };
  }

  clear(): void {
    this.files.clear();
  }
}

/** The public File object. `expires_at` is left out for files that never expire: the spec types it as an integer. */
export function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    ...(file.expiresAt === null ? {} : { expires_at: file.expiresAt }),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  };
}
