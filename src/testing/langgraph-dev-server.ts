import { createServer } from 'node:net';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DevServerStartError, launchDevServer, type LaunchedDevServer } from '../dev-server/launch-dev-server.js';

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
  /** How long `stop()` lets the server finish its runs and save before it is killed (default 15 s; large data takes longer). */
  stopTimeoutMs?: number;
}

export interface RunningLangGraphDevServer {
  url: string;
  port: number;
  directory: string;
  /** The server process, the one that holds and saves the data. */
  pid: number;
  /** Every line the server printed so far. */
  logs(): string[];
  /** How long the server's save at the last stop took (ms), once it said so. */
  savedInMs(): number | undefined;
  /** Stops the server as `batch-bridge dev` does on Ctrl-C: it finishes its runs and saves its data, then exits. */
  stop(): Promise<void>;
  /** Stops and, when the folder was created here, deletes it. */
  close(): Promise<void>;
}

/**
 * Starts `langgraphjs dev`'s server (the in-memory LangGraph API server) through the `batch-bridge dev` launcher on a
 * free port, with its own langgraph.json and data folder, and waits until it answers.
 */
export async function startLangGraphDevServer(options: LangGraphDevServerOptions): Promise<RunningLangGraphDevServer> {
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'batch-bridge-langgraph-')));
  const configPath = path.join(directory, 'langgraph.json');
  await writeFile(
    configPath,
    JSON.stringify({ node_version: '20', graphs: relativeGraphPaths(options.graphs, directory) }, null, 2),
  );

  const lines: string[] = [];
  const collect = (line: string) => {
    lines.push(line);
    options.onLog?.(line);
  };
  const removeOwnDirectory = () =>
    ownsDirectory ? rm(directory, { recursive: true, force: true }) : Promise.resolve();
  let started: { server: LaunchedDevServer; port: number } | undefined;
  try {
    // A port found free can be taken by another process before the server binds it (seconds later, once its modules
    // have loaded): then a new one is asked for, a bounded number of times. A port given by the caller is not changed.
    for (let attempt = 1; !started; attempt += 1) {
      const port = options.port ?? (await findFreePort());
      try {
        started = { server: await startOn(port, configPath, options, collect, lines), port };
      } catch (error) {
        const portTaken = error instanceof DevServerStartError && error.code === 'EADDRINUSE';
        if (!portTaken || options.port !== undefined || attempt >= portAttempts) throw error;
      }
    }
  } catch (error) {
    await removeOwnDirectory();
    throw error;
  }
  const { server, port } = started;

  const stop = async () => {
    await server.stop(options.stopTimeoutMs ?? 15_000);
  };
  return {
    url: server.url,
    port,
    directory,
    pid: server.pid,
    logs: () => [...lines],
    savedInMs: () => server.savedInMs(),
    stop,
    async close() {
      await stop();
      await removeOwnDirectory();
    },
  };
}

/** Ports tried when the one found free is taken before the server binds it. */
const portAttempts = 3;

/** Launches the server on one port and waits until it answers; on failure it is stopped and gone. */
async function startOn(
  port: number,
  config: string,
  options: LangGraphDevServerOptions,
  collect: (line: string) => void,
  lines: string[],
): Promise<LaunchedDevServer> {
  const server = await launchDevServer({
    config,
    port,
    host: '127.0.0.1',
    workers: options.workers ?? 10,
    output: 'pipe',
    onLog: collect,
    onNotice: collect,
    env: {
      LANGGRAPH_CLI_NO_ANALYTICS: '1',
      LANGSMITH_TRACING: 'false',
      LANGCHAIN_TRACING_V2: 'false',
      ...options.env,
    },
  });
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      server.ready,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not answer within ${startTimeoutMs} ms`)), startTimeoutMs);
      }),
    ]);
    return server;
  } catch (error) {
    server.kill();
    await server.exited;
    // The server said why (a taken port): that is the message. Otherwise its last lines tell.
    if (error instanceof DevServerStartError) throw error;
    throw new Error(
      `langgraphjs dev ${error instanceof Error ? error.message : String(error)}:\n${lines.slice(-30).join('\n')}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
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
