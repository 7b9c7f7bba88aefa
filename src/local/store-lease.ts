import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { LocalStoreError } from './errors.js';
import type { SqliteDatabase } from './sqlite.js';

/**
 * One process per store: two scripts sharing one would each submit what the other has not recorded yet. The holder
 * keeps a lease in the store itself (a row: who, until when) and renews it while it runs, so that the lock holds for
 * processes that cannot see each other (two containers, two machines on a shared volume). Another process takes the
 * store over only once the lease has expired, or at once when the holder is a process of the same process space that
 * no longer exists (killed, exited without releasing).
 */

/** How long a lease lasts without renewal; BATCH_BRIDGE_STORE_LEASE_MS changes it (tests, slow shared volumes). */
export function leaseDuration(environment = process.env): number {
  const configured = Number(environment.BATCH_BRIDGE_STORE_LEASE_MS);
  return Number.isFinite(configured) && configured >= 100 ? configured : 30_000;
}

interface LeaseRow {
  owner: string;
  pid: number;
  host: string;
  process_space: string;
  expires_at: number;
}

export interface StoreLease {
  /** Throws a LocalStoreError when another process has taken the store over (this one's lease expired unrenewed). */
  assertHeld(): void;
  /** Stops renewing and gives the store up at once (next process need not wait for the expiry). */
  release(): void;
}

/**
 * Where a pid means the same process: the host name, and on Linux the boot and the pid namespace (two containers
 * on one machine may share a host name, but not a pid namespace unless they share their pids too).
 */
function processSpace(): string {
  const read = (what: () => string) => {
    try {
      return what().trim();
    } catch {
      return '';
    }
  };
  const boot = read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'));
  const pidNamespace = read(() => readlinkSync('/proc/self/ns/pid'));
  return [hostname(), boot, pidNamespace].join('|');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the store's lease, or throws a LocalStoreError naming the holder and when its lease ends. */
export function takeStoreLease(database: SqliteDatabase, file: string, leaseMs = leaseDuration()): StoreLease {
  const owner = randomUUID();
  const here = { host: hostname(), space: processSpace() };
  const read = database.prepare('SELECT owner, pid, host, process_space, expires_at FROM lease WHERE id = 1');
  const write = database.prepare(
    'INSERT OR REPLACE INTO lease (id, owner, pid, host, process_space, acquired_at, expires_at) VALUES (1, ?, ?, ?, ?, ?, ?)',
  );
  const renew = database.prepare('UPDATE lease SET expires_at = ? WHERE id = 1 AND owner = ?');

  // An immediate transaction takes the write lock before reading, so two processes starting at once cannot both
  // read "free" and both write their claim.
  const claim = database.transaction(() => {
    const now = Date.now();
    const holder = read.get() as LeaseRow | undefined;
    const holderGone = holder?.process_space === here.space && holder.pid !== process.pid && !isAlive(holder.pid);
    if (holder && holder.expires_at > now && !holderGone) {
      throw new LocalStoreError(
        `The batch-bridge store ${file} is in use by process ${holder.pid} on ${holder.host}, whose lease runs until ` +
          `${new Date(holder.expires_at).toISOString()} and is renewed while it runs. Wait for it to finish, or give ` +
          'this run another local.directory. If that process is gone, the store is free once its lease has ended.',
      );
    }
    write.run(owner, process.pid, here.host, here.space, now, now + leaseMs);
  });
  claim.immediate();

  let lost: LocalStoreError | undefined;
  const assertHeld = () => {
    if (lost) throw lost;
    if (renew.run(Date.now() + leaseMs, owner).changes === 1) return;
    const holder = read.get() as LeaseRow | undefined;
    lost = new LocalStoreError(
      `The batch-bridge store ${file} was taken over by ${holder ? `process ${holder.pid} on ${holder.host}` : 'another process'} ` +
        'after this process failed to renew its lease in time (a stalled process or an unreachable volume). This ' +
        'process submits nothing more; run it again once the other has finished.',
    );
    throw lost;
  };
  // Renewed three times per lease, so one late timer (a busy event loop) does not lose it. The timer does not keep
  // a finished script alive.
  const timer = setInterval(
    () => {
      try {
        assertHeld();
      } catch {
        // Lost for good: stop. A busy database is tried again on the next turn, well before the lease ends.
        if (lost) clearInterval(timer);
      }
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  timer.unref();

  return {
    assertHeld,
    release() {
      clearInterval(timer);
      try {
        database.prepare('DELETE FROM lease WHERE id = 1 AND owner = ?').run(owner);
      } catch {
        // The database may be closed already; the lease then ends on its own.
      }
    },
  };
}
