import { newIdentifier, unixSeconds } from '../identifiers.js';

export interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  bytes: number;
  createdAt: number;
  expiresAt: number | null;
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

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private nextSequence = 0;

  add(input: { purpose: string; filename: string; content: Buffer; expiresAfterSeconds?: number }): StoredFile {
    const createdAt = unixSeconds();
    const lifetime =
      input.expiresAfterSeconds ?? (purposesExpiringByDefault.has(input.purpose) ? thirtyDaysInSeconds : undefined);
    const file: StoredFile = {
      id: newIdentifier('file-', 22),
      purpose: input.purpose,
      filename: input.filename,
      bytes: input.content.byteLength,
      createdAt,
      expiresAt: lifetime === undefined ? null : createdAt + lifetime,
      content: input.content,
      sequence: this.nextSequence++,
    };
    this.files.set(file.id, file);
    return file;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }

  delete(id: string): boolean {
    return this.files.delete(id);
  }

  list(query: FileListQuery): { data: StoredFile[]; hasMore: boolean } {
    const direction = query.order === 'asc' ? 1 : -1;
    const ordered = [...this.files.values()]
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
