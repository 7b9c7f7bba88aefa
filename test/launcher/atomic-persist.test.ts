import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makePersistenceAtomic } from '../../src/dev-server/atomic-persist.js';
import { waitFor } from '../e2e/support/e2e-environment.js';

// The dev server's own persistence class, as `batch-bridge dev`'s server process patches it.
const apiRoot = path.dirname(createRequire(import.meta.url).resolve('@langchain/langgraph-api/package.json'));
const persistence = await import(pathToFileURL(path.join(apiRoot, 'dist/storage/persist.mjs')).href);

interface Store {
  initialize(cwd: string): Promise<Store>;
  with<T>(fn: (data: { items: number[] }) => T): Promise<T>;
  flush(): Promise<void>;
}

let directory: string | undefined;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function patchedStore(maxDelayMs: number) {
  // A subclass, so that the patch stays on it and this file's other tests get a fresh one.
  const Base = persistence.FileSystemPersistence as new (name: string, defaultSchema: () => unknown) => Store;
  const Probe = class extends Base {};
  const patch = makePersistenceAtomic(Probe, persistence.serialize, maxDelayMs);
  expect(patch).toBeDefined();
  directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-persist-'));
  const store = (await new Probe('probe.json', () => ({ items: [] })).initialize(directory)) as Store;
  return { store, patch: patch!, file: path.join(directory, '.langgraph_api', 'probe.json') };
}

describe('the dev server persistence, made atomic', () => {
  it('saves through a temporary file renamed over the real one, and leaves no temporary file', async () => {
    const { store, file } = await patchedStore(10_000);
    await store.with((data) => data.items.push(1, 2, 3));
    await Promise.all([store.flush(), store.with((data) => data.items.push(4)), store.flush()]);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { json: { items: number[] } };
    // Overlapping saves run one after the other, each with the data of its turn: the newest is on disk last.
    expect(saved.json.items).toEqual([1, 2, 3, 4]);
    expect(await readdir(path.dirname(file))).toEqual(['probe.json']);
  });

  it('saves within maxDelayMs under steady access, which restarts the server’s own 3 s wait each time', async () => {
    const { store, file } = await patchedStore(600);
    const started = Date.now();
    let written: number | undefined;
    // Access every 100 ms until the file is there: each one restarts the server's 3 s wait, so the server's own save
    // never comes while it goes on (also after a stall, the access is due before that wait ends). A save that appears
    // at all is the maxDelayMs one, however long a loaded machine takes to make it; without it, none within 30 s.
    const access = setInterval(() => void store.with((data) => data.items.push(Date.now())), 100);
    try {
      written = await waitFor(
        async () => ((await readFile(file, 'utf8').catch(() => undefined)) ? Date.now() : undefined),
        'a save under steady access',
        30_000,
        50,
      );
    } finally {
      clearInterval(access);
    }
    // Not a save on every access: the first is made maxDelayMs after the first unsaved change. And this maxDelayMs,
    // not the default 10 s: the upper bound leaves a loaded machine 7 s for the timer and the two fsyncs.
    expect(written - started).toBeGreaterThanOrEqual(600);
    expect(written - started).toBeLessThan(8_000);
    await store.flush();
  });
});
