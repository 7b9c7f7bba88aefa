import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultStoreDirectory } from './local-options.js';
import { LocalStoreError } from './errors.js';
import { busyCodeOf, isBusyError, loadSqlite, type SqliteDatabase } from './sqlite.js';
import { SqliteBatchStore } from './sqlite-batch-store.js';
import { takeStoreLease } from './store-lease.js';
import { prepareSchema } from './store-schema.js';

export const storeFileName = 'store.sqlite';

interface OpenStore {
  store: Promise<SqliteBatchStore>;
  release?: () => void;
}

/** One connection per store file in a process, shared by every batcher that uses that folder. */
const openStores = new Map<string, OpenStore>();

export function storeFileOf(directory: string = defaultStoreDirectory): string {
  return path.join(path.resolve(directory), storeFileName);
}

export function openBatchStore(directory: string): Promise<SqliteBatchStore> {
  const file = storeFileOf(directory);
  let open = openStores.get(file);
  if (!open) {
    const entry = {} as OpenStore;
    entry.store = openStoreFile(file).then(
      ({ store, release }) => {
        entry.release = release;
        return store;
      },
      (error: unknown) => {
        openStores.delete(file);
        throw error;
      },
    );
    open = entry;
    openStores.set(file, open);
  }
  return open.store;
}

async function openStoreFile(file: string): Promise<{ store: SqliteBatchStore; release: () => void }> {
  const driver = await loadSqlite();
  const directory = path.dirname(file);
  mkdirSync(directory, { recursive: true });
  // The folder is git-ignored wherever it is created, as tool caches are: answers are not source.
  const ignore = path.join(directory, '.gitignore');
  if (!existsSync(ignore))
    writeFileSync(ignore, '# Created by batch-bridge: its local store is not for version control.\n*\n');
  // Another process that opens the store at the same moment holds its write lock for a few milliseconds: the
  // busy timeout waits for it. A lock held for longer than that is reported, never thrown as a raw SQLITE_BUSY.
  const busyTimeoutMs = 5_000;
  let database: SqliteDatabase | undefined;
  try {
    database = driver.open(file, { timeout: busyTimeoutMs });
    await prepareSchemaWhenFree(database, file, Date.now() + busyTimeoutMs);
    const lease = takeStoreLease(database, file);
    const release = () => lease.release();
    process.once('exit', release);
    return { store: new SqliteBatchStore(database, file, lease, driver.name), release };
  } catch (error) {
    database?.close();
    if (!isBusyError(error)) throw error;
    throw new LocalStoreError(
      `The batch-bridge store ${file} stayed locked by another process for ${busyTimeoutMs / 1000} s ` +
        `(${busyCodeOf(error)}). Another script is probably opening or using it: wait for it to ` +
        'finish, or give this run another local.directory.',
      { cause: error },
    );
  }
}

/**
 * Some steps (switching a new file to WAL while another process does the same) answer SQLITE_BUSY at once, without
 * waiting for the busy timeout: they are tried again, with a short growing pause, until the deadline.
 */
async function prepareSchemaWhenFree(database: SqliteDatabase, file: string, deadline: number): Promise<void> {
  for (let pauseMs = 10; ; pauseMs = Math.min(pauseMs * 2, 250)) {
    try {
      prepareSchema(database, file);
      return;
    } catch (error) {
      if (!isBusyError(error) || Date.now() + pauseMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/**
 * Forgets every answer and every batch in flight recorded in a store folder (default `.batch-bridge`): the next run
 * submits every request again. Batches already at the API keep running (and are billed); cancel them in the
 * dashboard if they are not wanted. Refused while another live process uses the store.
 */
export async function clearBatchCache(
  directory: string = defaultStoreDirectory,
): Promise<{ requests: number; batches: number }> {
  if (!existsSync(storeFileOf(directory))) return { requests: 0, batches: 0 };
  const store = await openBatchStore(directory);
  return store.clear();
}

/** Closes every store this process opened (tests delete their folders afterwards; a script needs not call it). */
export async function closeBatchStores(): Promise<void> {
  const stores = [...openStores.values()];
  openStores.clear();
  for (const open of stores) {
    try {
      const store = await open.store;
      open.release?.();
      if (open.release) process.removeListener('exit', open.release);
      store.close();
    } catch {
      // A store that failed to open has nothing to close.
    }
  }
}
