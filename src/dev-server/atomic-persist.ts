/**
 * Runs inside the dev server process. @langchain/langgraph-api's `FileSystemPersistence` saves each data file in place
 * (truncate, then write): a process that dies mid-write leaves a cut or empty file, and everything in it is gone at the
 * next start. Replacing its `persist` method on the prototype (no file in node_modules changes) makes every save write
 * a temporary file beside the real one, sync it to disk, and rename it over the real one: the file is always either
 * the previous complete version or the new one, also after a kill -9 or a power loss.
 *
 * The server saves only after 3 s without storage access, and every access restarts that wait: under steady load it
 * may not save for minutes, and a kill -9 then loses all of that. So a save is also made at the latest `maxDelayMs`
 * after the first unsaved change.
 */
import { open, rename } from 'node:fs/promises';
import path from 'node:path';

/** The parts of @langchain/langgraph-api's FileSystemPersistence (1.5.x) this patch relies on. */
interface Persistence {
  filepath: string | null;
  data: unknown;
  flushTimeout: ReturnType<typeof setTimeout> | undefined;
  initialize(cwd: string): Promise<unknown>;
  persist(): Promise<void>;
  schedulePersist(): void;
}

export interface PatchedPersistence {
  /** Every persistence the server initialised (ops, checkpointer, store). */
  instances: Set<Persistence>;
  /** Saves every one of them that changed since its last save began; resolves when all are on disk. */
  flushAll(): Promise<void>;
}

/** Returns undefined, changing nothing, when the class does not have the shape this patch was written for. */
export function makePersistenceAtomic(
  persistenceClass: unknown,
  serialize: unknown,
  maxDelayMs = 10_000,
): PatchedPersistence | undefined {
  const prototype = (persistenceClass as { prototype?: Partial<Persistence> } | undefined)?.prototype;
  if (!prototype || typeof prototype.persist !== 'function' || typeof prototype.initialize !== 'function')
    return undefined;
  if (typeof prototype.schedulePersist !== 'function') return undefined;
  if (typeof serialize !== 'function') return undefined;
  const toText = serialize as (data: unknown) => string;
  const instances = new Set<Persistence>();
  // Saves of one file run one after the other (the timer's and the exit flush can overlap); each writes the data as
  // it is when its turn comes, so the last save to finish is also the newest.
  const chains = new WeakMap<Persistence, Promise<void>>();
  const initialize = prototype.initialize;
  prototype.initialize = function (this: Persistence, cwd: string) {
    instances.add(this);
    return initialize.call(this, cwd);
  };
  const deadlines = new WeakMap<Persistence, ReturnType<typeof setTimeout>>();
  const schedulePersist = prototype.schedulePersist;
  prototype.schedulePersist = function (this: Persistence) {
    schedulePersist.call(this);
    if (!deadlines.has(this))
      deadlines.set(this, setTimeout(() => void this.persist().catch(() => undefined), maxDelayMs).unref());
  };
  prototype.persist = function (this: Persistence) {
    if (this.data == null || this.filepath == null) return Promise.resolve();
    clearTimeout(this.flushTimeout);
    clearTimeout(deadlines.get(this));
    deadlines.delete(this);
    const file = this.filepath;
    const next = (chains.get(this) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => (this.data == null ? undefined : writeAtomically(file, toText(this.data))));
    chains.set(this, next);
    return next;
  };
  return {
    instances,
    // Only what changed since its last save began: a second save of 10 MB that did not change costs seconds.
    flushAll: async () => {
      await Promise.all(
        [...instances].filter((instance) => deadlines.has(instance)).map((instance) => instance.persist()),
      );
    },
  };
}

let counter = 0;

/** Write beside, fsync, rename over, fsync the folder: the POSIX way to replace a file all at once. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  counter += 1;
  const temporary = `${file}.tmp-${process.pid}-${counter}`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  // Makes the rename itself durable; some platforms cannot open a folder for syncing, and then the rename is at worst
  // undone by a power loss (the previous complete version stays).
  const folder = await open(path.dirname(file), 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
