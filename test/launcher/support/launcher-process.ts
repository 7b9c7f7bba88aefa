/**
 * Runs a dev server launcher as a user's terminal does: in a process group of its own (the terminal's foreground
 * group), so that `interruptGroup()` is exactly a Ctrl-C. `batch-bridge dev` runs from the sources; `langgraphjs dev`
 * (for comparison only) is the CLI of @langchain/langgraph-cli.
 */
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findFreePort } from '../../../src/testing/langgraph-dev-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);

/** Runs `batch-bridge dev` with these flags until it exits by itself (a refusal to start); its code and stderr. */
export async function runDevUntilExit(flags: string[]): Promise<{ code?: number; stderr?: string } | undefined> {
  return promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'dev', ...flags],
    {
      cwd: root,
    },
  ).then(
    () => undefined,
    (error: { code?: number; stderr?: string }) => error,
  );
}

export type LauncherKind = 'batch-bridge dev' | 'langgraphjs dev';

export interface LauncherProcess {
  /** The launcher's pid, which is also its process group's id. */
  pid: number;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGINT to the launcher's whole process group, as a terminal sends on Ctrl-C. */
  interruptGroup(): void;
  /**
   * SIGKILL to the launcher's whole process group and to its server (which runs in a session of its own): a crash,
   * as an out-of-memory kill or a power loss ends both at once, with no chance to save.
   */
  killGroupAndServer(): void;
  /** Ends whatever is left of it (for a test's cleanup, also when the test failed). */
  forceStop(): Promise<void>;
}

export async function startLauncher(
  kind: LauncherKind,
  directory: string,
  env: Record<string, string>,
  startTimeoutMs = 90_000,
): Promise<LauncherProcess> {
  // A port found free can be taken before the server binds it; batch-bridge dev then exits at once saying so.
  for (let attempt = 1; ; attempt += 1) {
    const port = await findFreePort();
    try {
      return await startLauncherOn(kind, directory, env, startTimeoutMs, port);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes(`port ${port} is taken`)) throw error;
    }
  }
}

async function startLauncherOn(
  kind: LauncherKind,
  directory: string,
  env: Record<string, string>,
  startTimeoutMs: number,
  port: number,
): Promise<LauncherProcess> {
  const flags = [
    'dev',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--config',
    directory,
    '--no-browser',
    '--no-reload',
  ];
  const args =
    kind === 'batch-bridge dev'
      ? ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...flags]
      : [require.resolve('@langchain/langgraph-cli/dist/cli/cli.mjs'), ...flags];
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LANGGRAPH_CLI_NO_ANALYTICS: '1', LANGSMITH_TRACING: 'false', BROWSER: 'none', ...env },
  });
  let output = '';
  let serverPid: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // Ready when the launcher names the server's pid (batch-bridge dev) or the server says it runs (langgraphjs dev).
  const readyPattern = kind === 'batch-bridge dev' ? /Server\s+pid (\d+)/ : /Server running at/;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = readyPattern.exec(output);
      if (match) {
        if (match[1]) serverPid = Number(match[1]);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`${kind} exited before it was ready:\n${output.slice(-3000)}`)));
  });
  const signal = (target: number, name: NodeJS.Signals) => {
    try {
      process.kill(target, name);
    } catch {
      // already gone
    }
  };
  const launcher: LauncherProcess = {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    interruptGroup: () => signal(-child.pid!, 'SIGINT'),
    killGroupAndServer: () => {
      if (serverPid !== undefined) signal(serverPid, 'SIGKILL');
      signal(-child.pid!, 'SIGKILL');
    },
    async forceStop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal(-child.pid!, 'SIGINT');
      let forced = false;
      const timer = setTimeout(() => {
        forced = true;
        signal(-child.pid!, 'SIGKILL');
      }, 30_000);
      await exited;
      clearTimeout(timer);
      // A launcher that exits by itself waited for its server; batch-bridge dev's server is in a group of its own,
      // so after a forced end it is ended here too.
      if (forced && serverPid !== undefined) signal(serverPid, 'SIGKILL');
    },
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${kind} not ready within ${startTimeoutMs} ms:\n${output.slice(-3000)}`)),
          startTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await launcher.forceStop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return launcher;
}
