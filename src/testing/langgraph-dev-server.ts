import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Asks the OS for a port nobody listens on (port 2024, the dev server's default, is often taken). */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface LangGraphDevServerOptions {
  /** Graph id → `path/to/file.ts:exportName` (absolute, or relative to `cwd`). */
  graphs: Record<string, string>;
  /** Folder holding langgraph.json and the server's data (`.langgraph_api/`); a new temporary one when absent. */
  directory?: string;
  /** Extra environment for the server process (e.g. OPENAI_BASE_URL of an emulator). */
  env?: Record<string, string | undefined>;
  port?: number;
  /** Workers pulling runs from the queue (the CLI's `-n`). */
  workers?: number;
  /** Called with every line the server prints (stdout and stderr). */
  onLog?: (line: string) => void;
  /** How long to wait for the server to answer /ok. */
  startTimeoutMs?: number;
  /** How long `stop()` lets the server save its data before it is ended (default 15 s; large data takes longer). */
  stopTimeoutMs?: number;
}

export interface RunningLangGraphDevServer {
  url: string;
  port: number;
  directory: string;
  /** Every line the server printed so far. */
  logs(): string[];
  /** Stops the server so that it saves its data first (SIGINT to the inner server process), as on a clean shutdown. */
  stop(): Promise<void>;
  /** Stops and, when the folder was created here, deletes it. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

function resolveCli(): string {
  try {
    return require.resolve('@langchain/langgraph-cli/dist/cli/cli.mjs');
  } catch {
    throw new Error(
      'batch-bridge/testing: starting a LangGraph dev server needs @langchain/langgraph-cli (npm install -D @langchain/langgraph-cli).',
    );
  }
}

/**
 * Starts `langgraphjs dev` (the in-memory LangGraph API server) on a free port, with its own langgraph.json and data
 * folder, and waits until it answers.
 */
export async function startLangGraphDevServer(options: LangGraphDevServerOptions): Promise<RunningLangGraphDevServer> {
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'batch-bridge-langgraph-')));
  const port = options.port ?? (await findFreePort());
  const configPath = path.join(directory, 'langgraph.json');
  await writeFile(
    configPath,
    JSON.stringify({ node_version: '20', graphs: relativeGraphPaths(options.graphs, directory) }, null, 2),
  );

  const lines: string[] = [];
  const child = spawn(
    process.execPath,
    [
      resolveCli(),
      'dev',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--no-browser',
      '--no-reload',
      '--config',
      configPath,
      '-n',
      String(options.workers ?? 10),
    ],
    {
      cwd: directory,
      // Its own process group, so that stopping it also stops the server process it spawns.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LANGGRAPH_CLI_NO_ANALYTICS: '1',
        LANGSMITH_TRACING: 'false',
        LANGCHAIN_TRACING_V2: 'false',
        BROWSER: 'none',
        ...options.env,
      },
    },
  );
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      lines.push(line);
      options.onLog?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  const stopGroup = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilAnswers(url, options.startTimeoutMs ?? 90_000, exited, lines);
  } catch (error) {
    await stopGroup('SIGKILL');
    if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    port,
    directory,
    logs: () => [...lines],
    async stop() {
      await stopInnerServerFirst(child, stopGroup, options.stopTimeoutMs);
    },
    async close() {
      await stopInnerServerFirst(child, stopGroup, options.stopTimeoutMs);
      if (ownsDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The CLI forwards no signal to the server it spawned, and SIGINT to the whole group loses the last seconds of writes;
 * SIGINT to the inner server alone makes it flush its data before exiting.
 */
async function stopInnerServerFirst(
  child: ChildProcess,
  stopGroup: (signal: NodeJS.Signals) => Promise<void>,
  timeoutMs = 15_000,
) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const inner = await findChildPids(child.pid!);
  for (const pid of inner) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // gone already
    }
  }
  await Promise.race([new Promise((resolve) => child.once('exit', resolve)), waitForPidsToExit(inner, timeoutMs)]);
  await stopGroup('SIGTERM');
}

/** The server joins graph paths onto the config's folder, so an absolute path has to become a relative one. */
function relativeGraphPaths(graphs: Record<string, string>, directory: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(graphs).map(([id, spec]) => {
      const separator = spec.lastIndexOf(':');
      const file = separator > 1 ? spec.slice(0, separator) : spec;
      const exportName = separator > 1 ? spec.slice(separator) : '';
      const relative = path.isAbsolute(file) ? path.relative(directory, file) : file;
      return [id, `${relative.startsWith('.') ? relative : `./${relative}`}${exportName}`];
    }),
  );
}

async function findChildPids(parentPid: number): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces, so split after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parentPid) pids.push(Number(entry));
  }
  return pids;
}

async function waitForPidsToExit(pids: number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (alive.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitUntilAnswers(url: string, timeoutMs: number, exited: Promise<number | null>, lines: string[]) {
  const deadline = Date.now() + timeoutMs;
  let stopped = false;
  void exited.then(() => (stopped = true));
  while (Date.now() < deadline) {
    if (stopped) throw new Error(`langgraphjs dev exited before answering:\n${lines.slice(-30).join('\n')}`);
    try {
      const response = await fetch(`${url}/ok`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`langgraphjs dev did not answer within ${timeoutMs} ms:\n${lines.slice(-30).join('\n')}`);
}
