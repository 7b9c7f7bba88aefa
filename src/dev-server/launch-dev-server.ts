/**
 * Starts the `langgraphjs dev` server (@langchain/langgraph-api) as one child process in a session and process group
 * of its own, so that a terminal's Ctrl-C (SIGINT to the foreground group) reaches only the launcher, which then asks
 * the server to save and waits for it: the server is never killed by its parent mid-save, as under `langgraphjs dev`.
 * Used by `batch-bridge dev`, the test helper, `npm start` and the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { dataFolderName, protectDataFiles, type DataFileCheck } from './data-files.js';
import { readLangGraphConfig, serverPayload } from './langgraph-config.js';
import { resolveServerModules } from './server-modules.js';

export interface DevServerLaunchOptions {
  /** langgraph.json, or the folder holding it; the data lives in `.langgraph_api/` beside it. */
  config: string;
  port: number;
  host?: string;
  /** Workers pulling runs from the queue (the CLI's `-n`, default 10). */
  workers?: number;
  /** Set for the server on top of this process's environment (and before langgraph.json's `env`). */
  env?: Record<string, string | undefined>;
  /** 'inherit' prints the server's output here (the CLI); 'pipe' hands every line to `onLog`. */
  output?: 'inherit' | 'pipe';
  onLog?: (line: string) => void;
  /** Where the launcher's own notices go (a data file restored from its last good copy); default stderr. */
  onNotice?: (line: string) => void;
}

export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchedDevServer {
  /** The server process (the one that saves the data). */
  pid: number;
  url: string;
  projectDirectory: string;
  dataFolder: string;
  /** What was found in the data folder before the start (files restored from their last good copy). */
  dataFiles: DataFileCheck;
  /** Resolves when the server answers; rejects when it exits first (a DevServerStartError when it said why). */
  ready: Promise<void>;
  exited: Promise<DevServerExit>;
  /** How long the last save at stop took, once the server said so. */
  savedInMs(): number | undefined;
  /** Asks the server to save and exit (SIGINT to it alone) and waits; after `forceAfterMs` it is killed. */
  stop(forceAfterMs?: number): Promise<DevServerExit>;
  /** SIGKILL to the server (its files stay whole: every save is atomic; the last seconds are lost). */
  kill(): void;
}

/** The server process could not start (`code` is the system error's, e.g. `EADDRINUSE` for a taken port). */
export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
  constructor(
    reason: string,
    readonly code?: string,
  ) {
    super(`The dev server did not start: ${reason}.`);
  }
}

export async function launchDevServer(options: DevServerLaunchOptions): Promise<LaunchedDevServer> {
  const resolved = await readLangGraphConfig(options.config);
  const { projectDirectory } = resolved;
  const modules = resolveServerModules(projectDirectory);
  if (resolved.config.node_loader && resolved.config.node_loader !== 'tsx') {
    console.error(
      `[batch-bridge dev] langgraph.json's node_loader "${resolved.config.node_loader}" is ignored: the server runs with tsx.`,
    );
  }
  const dataFiles = await protectDataFiles(projectDirectory);
  for (const { file, problem, copiedAt } of dataFiles.restored) {
    (options.onNotice ?? console.error)(
      `[batch-bridge dev] ${file} ${problem}: restored its last good copy (from ${copiedAt.toISOString()}); changes made after that copy are lost.`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${options.port}`;
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(resolved.configEnv)) env[key] ??= value;
  const payload = serverPayload(resolved, { port: options.port, host, workers: options.workers ?? 10 });
  const piped = options.output === 'pipe';
  const child = spawn(
    process.execPath,
    [
      '--import',
      modules.tsxLoader,
      '--import',
      modules.preload,
      modules.entry,
      modules.apiRoot,
      JSON.stringify(payload),
    ],
    {
      cwd: projectDirectory,
      // setsid: no terminal's signals reach it; only the launcher stops it.
      detached: true,
      stdio: ['ignore', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit', 'ipc'],
      env: { ...env, NODE_ENV: 'development', LANGGRAPH_API_URL: url },
    },
  );
  if (piped) forwardLines(child, options.onLog);

  let savedInMs: number | undefined;
  const exited = new Promise<DevServerExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: { type?: string; savedInMs?: number; code?: string; reason?: string }) => {
      if (message.type === 'ready') resolve();
      if (message.type === 'saved') savedInMs = message.savedInMs;
      if (message.type === 'failed') reject(new DevServerStartError(message.reason ?? 'it failed', message.code));
    });
    child.once('error', reject);
    void exited.then((exit) =>
      reject(new Error(`The dev server exited before it answered (code ${exit.code}, signal ${exit.signal}).`)),
    );
  });
  ready.catch(() => undefined);

  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid!, name);
    } catch {
      // already gone
    }
  };
  return {
    pid: child.pid!,
    url,
    projectDirectory,
    dataFolder: path.join(projectDirectory, dataFolderName),
    dataFiles,
    ready,
    exited,
    savedInMs: () => savedInMs,
    async stop(forceAfterMs?: number) {
      signal('SIGINT');
      const timer = forceAfterMs === undefined ? undefined : setTimeout(() => signal('SIGKILL'), forceAfterMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    kill: () => signal('SIGKILL'),
  };
}

function forwardLines(child: ChildProcess, onLog: ((line: string) => void) | undefined) {
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.length > 0) onLog?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
}
