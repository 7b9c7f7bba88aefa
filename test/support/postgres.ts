// A private PostgreSQL cluster for the store tests: its own data folder in the temp folder, its own free port, reachable
// on 127.0.0.1 and a unix socket in that folder only. Nothing here touches a system cluster (5432) or port 2024.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresCluster {
  /** Connection string of the cluster's `postgres` database (for creating and dropping test databases). */
  adminUrl: string;
  port: number;
  /** The cluster's postmaster process; `stop()` ends exactly this process. */
  pid: number;
  /** Folder holding the data directory, the socket and the log; deleted by `stop()`. */
  folder: string;
  /** Milliseconds from the first command to a connection answering. */
  startMs: number;
  /** Stops the postmaster by its pid (immediate shutdown: the data is thrown away anyway) and deletes the folder. */
  stop(): Promise<void>;
}

/** Newest installed Debian PostgreSQL (`/usr/lib/postgresql/<major>/bin`), or `BATCH_BRIDGE_PG_BIN`. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.BATCH_BRIDGE_PG_BIN;
  if (fromEnv) return existsSync(path.join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? path.join(root, majors[0], 'bin') : undefined;
}

/** A port the OS reports free right now. Another process may take it before postgres binds: startPostgres retries. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}

// initdb and postgres refuse to run as root; as root every server command runs as the `postgres` system user, which
// Debian's package creates. A developer running as a normal user runs them directly.
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function runAsOwner(command: string, args: string[]): Promise<string> {
  const [file, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  try {
    const { stdout } = await run(file, fullArgs, { timeout: 60_000 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${path.basename(command)} failed: ${(e.stderr || e.message).trim()}`, { cause: error });
  }
}

function ownFolder(folder: string): void {
  if (!asRoot) return;
  const { uid, gid } = lookUpPostgresUser();
  chownSync(folder, uid, gid);
}

function lookUpPostgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line)
    throw new Error(
      'running as root but there is no `postgres` system user to run initdb as (install the postgresql package)',
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, which only happens when not root: still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until `pid` has exited, checking every 50 ms for at most `timeoutMs`. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Connects until the server answers `select 1`, for at most `timeoutMs`: `pg_ctl -w` already waited, this proves it. */
async function waitForConnection(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL did not accept a connection within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Starts a fresh cluster. Throws an error that says what is missing when PostgreSQL is not installed or cannot start. */
export async function startPostgres(): Promise<PostgresCluster> {
  const started = Date.now();
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL is not installed: no /usr/lib/postgresql/<major>/bin/initdb (set BATCH_BRIDGE_PG_BIN, or run ' +
        '`apt-get install -y postgresql`; .ci/run does this).',
    );
  }
  const folder = await mkdtemp(path.join(tmpdir(), 'batch-bridge-pg-'));
  const dataDir = path.join(folder, 'data');
  const logFile = path.join(folder, 'server.log');
  let pid: number | undefined;
  const cleanUp = async () => {
    if (pid !== undefined && isAlive(pid)) {
      // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster ends its children and exits at once.
      process.kill(pid, 'SIGQUIT');
      if (!(await waitForExit(pid, 10_000))) process.kill(pid, 'SIGKILL');
    }
    await rm(folder, { recursive: true, force: true });
  };
  try {
    ownFolder(folder);
    // Trust auth is safe here: the server listens on 127.0.0.1 and a socket in a 0700 folder, for this run only.
    // --no-sync and fsync=off: nothing in a test cluster needs to survive a power cut, and initdb is 3x faster.
    await runAsOwner(path.join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    let lastError: unknown;
    // A free port can be taken between asking and binding: a few attempts, each with a new port.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await freePort();
      const options = [
        `-p ${port}`,
        `-k ${folder}`,
        "-c listen_addresses='127.0.0.1'",
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ];
      try {
        await runAsOwner(path.join(bin, 'pg_ctl'), [
          'start',
          '-w',
          '-t',
          '60',
          '-D',
          dataDir,
          '-l',
          logFile,
          '-o',
          options.join(' '),
        ]);
      } catch (error) {
        lastError = error;
        continue;
      }
      // pg_ctl exits once the server is up; the postmaster's pid is the first line of postmaster.pid.
      pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
      await waitForConnection(adminUrl, 30_000);
      const postmaster = pid;
      const cluster: PostgresCluster = {
        adminUrl,
        port,
        pid: postmaster,
        folder,
        startMs: Date.now() - started,
        stop: cleanUp,
      };
      // If the test process exits without running its teardown (an uncaught error), still end the server and remove
      // the folder: synchronous work only, as 'exit' handlers allow.
      process.once('exit', () => {
        if (isAlive(postmaster)) process.kill(postmaster, 'SIGQUIT');
        rmSync(folder, { recursive: true, force: true });
      });
      return cluster;
    }
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    throw new Error(`PostgreSQL did not start: ${messageOf(lastError)}${log ? `\nserver log:\n${log}` : ''}`);
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

let databaseCounter = 0;

/** A new empty database on the cluster, named uniquely for this process; returns its URL and a way to drop it. */
export async function createDatabase(
  adminUrl: string,
  prefix = 'test',
): Promise<{ url: string; drop(): Promise<void> }> {
  databaseCounter += 1;
  const name = `${prefix}_${process.pid}_${databaseCounter}_${Date.now().toString(36)}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // WITH (FORCE) ends connections a store's pool may still hold (PostgreSQL 13+).
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
