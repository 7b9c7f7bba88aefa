import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStoreError } from '../../src/local/index.js';
import { loadSqlite, type SqliteDatabase } from '../../src/local/sqlite.js';
import { takeStoreLease } from '../../src/local/store-lease.js';
import { closeBatchStores, openBatchStore, storeFileOf } from '../../src/local/store-registry.js';
import { killScripts, runScript, type ScriptRun } from './support/child-script.js';
import { waitFor } from './support/local-environment.js';

const holder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/hold-store.ts');

// Each child loads tsx and better-sqlite3; on two loaded cores that takes seconds.
const childTimeoutMs = 60_000;

const directories: string[] = [];
const databases: SqliteDatabase[] = [];

afterEach(async () => {
  await killScripts();
  for (const database of databases.splice(0)) database.close();
  await closeBatchStores();
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

async function storeFolder() {
  const directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-lease-'));
  directories.push(directory);
  return directory;
}

interface HolderEvent {
  pid: number;
  event: 'ready' | 'holding' | 'refused' | 'released';
  name?: string;
  message?: string;
  code?: string;
}

const eventsOf = (run: ScriptRun): HolderEvent[] =>
  run
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HolderEvent);

function startHolder(directory: string, env: Record<string, string> = {}) {
  return runScript(holder, { STORE_DIRECTORY: directory, ...env }, { stdin: true });
}

/** The first of `events` the child reports; fails at once with its stderr if it exits without. */
function nextEvent(run: ScriptRun, ...events: HolderEvent['event'][]) {
  return waitFor(
    () => {
      const found = eventsOf(run).find((event) => events.includes(event.event));
      if (found) return found;
      if (run.child.exitCode !== null || run.child.signalCode !== null) {
        throw new Error(`The holder exited without ${events.join('/')}:\n${run.stdout()}\n${run.stderr()}`);
      }
      return undefined;
    },
    `the holder to report ${events.join(' or ')}`,
    childTimeoutMs,
  );
}

/** Opens the store's file directly, as another machine's process would see it. */
async function openDirectly(directory: string) {
  const sqlite = await loadSqlite();
  const database = sqlite.open(storeFileOf(directory), { timeout: 5_000 });
  databases.push(database);
  return database;
}

const leaseRow = (database: SqliteDatabase) =>
  database.prepare('SELECT * FROM lease WHERE id = 1').get() as
    | { owner: string; pid: number; host: string; process_space: string; acquired_at: number; expires_at: number }
    | undefined;

describe('local mode: one process per store, held by a lease in the store', () => {
  it(
    'two processes opening one store at the same moment: one holds it, the other gets a LocalStoreError naming it',
    async () => {
      // A few rounds on fresh stores: the race differs each time (creating the file, the schema, the lease).
      for (let round = 0; round < 3; round += 1) {
        const directory = await storeFolder();
        const children = [startHolder(directory), startHolder(directory)];
        await Promise.all(children.map((child) => nextEvent(child, 'ready')));
        for (const child of children) child.child.stdin!.write('go\n');
        const outcomes = await Promise.all(children.map((child) => nextEvent(child, 'holding', 'refused')));
        const holding = outcomes.filter((outcome) => outcome.event === 'holding');
        const refused = outcomes.filter((outcome) => outcome.event === 'refused');
        expect(holding, JSON.stringify(outcomes)).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect(refused[0]).toMatchObject({ name: 'LocalStoreError' });
        expect(refused[0].message).not.toMatch(/^SQLITE_/);
        expect(refused[0].message).toContain(`in use by process ${holding[0].pid} on ${hostname()}`);
        expect(refused[0].message).toMatch(/another local\.directory/);
        for (const child of children) child.child.stdin!.end();
        await Promise.all(children.map((child) => child.exited));
      }
    },
    4 * childTimeoutMs,
  );

  it(
    'a lease held on another host refuses the store, naming the holder and its end, until it expires; then it is taken over',
    async () => {
      const directory = await storeFolder();
      await openBatchStore(directory);
      await closeBatchStores();
      // Both children are loaded before the lease is written: what is measured is the lease, not their start-up.
      const blocked = startHolder(directory);
      const next = startHolder(directory);
      await Promise.all([nextEvent(blocked, 'ready'), nextEvent(next, 'ready')]);
      const database = await openDirectly(directory);
      // Ten seconds: the refusal must come before the end, and a loaded machine can take seconds to answer `go`.
      const expiresAt = Date.now() + 10_000;
      database
        .prepare('INSERT OR REPLACE INTO lease VALUES (1, ?, ?, ?, ?, ?, ?)')
        .run('elsewhere', 4242, 'container-b', 'container-b|boot|pid:[1]', Date.now(), expiresAt);

      blocked.child.stdin!.write('go\n');
      const refusal = await nextEvent(blocked, 'holding', 'refused');
      expect(Date.now()).toBeLessThan(expiresAt);
      expect(refusal).toMatchObject({ event: 'refused', name: 'LocalStoreError' });
      expect(refusal.message).toContain(`in use by process 4242 on container-b`);
      expect(refusal.message).toContain(new Date(expiresAt).toISOString());

      // The other host's lease ends unrenewed (its process is gone): the next run takes the store over. Its end is
      // moved up to now rather than waited for; the child still judges it by its own clock.
      const endedAt = Date.now();
      database.prepare('UPDATE lease SET expires_at = ? WHERE id = 1').run(endedAt);
      await waitFor(() => (Date.now() > endedAt ? true : undefined), 'the lease to end', 10_000);
      next.child.stdin!.write('go\n');
      expect(await nextEvent(next, 'holding', 'refused')).toMatchObject({ event: 'holding' });
      expect(leaseRow(database)).toMatchObject({ pid: next.child.pid, host: hostname() });
      next.child.stdin!.end();
      await nextEvent(next, 'released');
      expect(leaseRow(database)).toBeUndefined();
    },
    3 * childTimeoutMs,
  );

  it(
    'a holder renews its lease while it runs; killed, its lease is taken over: at once on this machine, after expiry from elsewhere',
    async () => {
      const directory = await storeFolder();
      // The first holder's lease lasts 12 s and is renewed every 4 s: at least 8 s of it remain when it is killed,
      // room for the refusal on a loaded machine. The later holder's lasts 60 s: its lease is still running when the
      // rerun replaces it, however long the rerun takes to start.
      const [first, early, later] = [12_000, 12_000, 60_000].map((leaseMs) =>
        startHolder(directory, { BATCH_BRIDGE_STORE_LEASE_MS: String(leaseMs) }),
      );
      await Promise.all([first, early, later].map((child) => nextEvent(child, 'ready')));
      first.child.stdin!.write('go\n');
      await nextEvent(first, 'holding');
      const database = await openDirectly(directory);
      const taken = leaseRow(database)!;
      expect(taken).toMatchObject({ pid: first.child.pid, host: hostname() });
      // Renewed while it runs (every third of the lease): the end moves on.
      await waitFor(
        () => (leaseRow(database)!.expires_at > taken.expires_at + 1000 ? true : undefined),
        'the lease to be renewed',
        20_000,
      );
      first.child.kill('SIGKILL');
      await first.exited;

      // Seen from another container its pid means nothing: the lease must run out first.
      database.prepare('UPDATE lease SET process_space = ? WHERE id = 1').run('another-container');
      const killedLease = leaseRow(database)!;
      early.child.stdin!.write('go\n');
      const refusal = await nextEvent(early, 'holding', 'refused');
      expect(Date.now()).toBeLessThan(killedLease.expires_at);
      expect(refusal).toMatchObject({ event: 'refused', name: 'LocalStoreError' });
      expect(refusal.message).toContain(`in use by process ${first.child.pid}`);
      // Its end is moved up to now rather than waited for (up to 12 s); the child still judges it by its own clock.
      const endedAt = Date.now();
      database.prepare('UPDATE lease SET expires_at = ? WHERE id = 1').run(endedAt);
      await waitFor(() => (Date.now() > endedAt ? true : undefined), 'the lease to end', 10_000);
      later.child.stdin!.write('go\n');
      expect(await nextEvent(later, 'holding', 'refused')).toMatchObject({ event: 'holding' });

      // On this machine a holder that no longer exists is replaced at once, its lease still running.
      const rerun = startHolder(directory);
      await nextEvent(rerun, 'ready');
      const rerunTaken = leaseRow(database)!;
      expect(rerunTaken.pid).toBe(later.child.pid);
      later.child.kill('SIGKILL');
      await later.exited;
      rerun.child.stdin!.write('go\n');
      expect(await nextEvent(rerun, 'holding', 'refused')).toMatchObject({ event: 'holding' });
      expect(leaseRow(database)!.acquired_at).toBeLessThan(rerunTaken.expires_at);
      expect(leaseRow(database)).toMatchObject({ pid: rerun.child.pid });
    },
    5 * childTimeoutMs,
  );

  it('a store SQLite keeps locked past the busy timeout is a LocalStoreError that says what to do, not SQLITE_BUSY', async () => {
    const directory = await storeFolder();
    await openBatchStore(directory);
    await closeBatchStores();
    const database = await openDirectly(directory);
    // Another connection holds the write lock for longer than the 5 s the store waits.
    database.exec('BEGIN EXCLUSIVE');
    try {
      const refused = await openBatchStore(directory).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(LocalStoreError);
      expect((refused as Error).message).toMatch(/stayed locked by another process for 5 s \(SQLITE_BUSY\)/);
      expect((refused as Error).message).toMatch(/another local\.directory/);
    } finally {
      database.exec('ROLLBACK');
    }
    await expect(openBatchStore(directory)).resolves.toBeDefined();
  });

  it('a process whose lease was taken over records no further submission', async () => {
    const directory = await storeFolder();
    const store = await openBatchStore(directory);
    const database = await openDirectly(directory);
    // Another container took the store over (as after this process stalled past its lease).
    database
      .prepare('UPDATE lease SET owner = ?, pid = ?, host = ?, process_space = ? WHERE id = 1')
      .run('other', 4242, 'container-b', 'container-b');
    expect(() =>
      store.recordSubmission({ submissionId: 's1', scope: 'scope', label: 'label', createdAt: Date.now() }, []),
    ).toThrow(LocalStoreError);
    expect(() => takeStoreLease(database, storeFileOf(directory))).toThrow(/in use by process 4242 on container-b/);
  });
});
