import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ScriptRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ScriptRun>();

/** Runs a TypeScript script in its own Node process (tsx as loader, so that SIGKILL reaches the script itself). */
export function runScript(script: string, env: Record<string, string>, options: { stdin?: boolean } = {}): ScriptRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    // A pipe only for scripts the test talks to: an open stdin would keep a script that reads it from ending.
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const run: ScriptRun = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  running.add(run);
  void run.exited.then(() => running.delete(run));
  return run;
}

/** Kills every script still running (a failed test must not leave them behind). */
export async function killScripts(): Promise<void> {
  const runs = [...running];
  for (const run of runs) run.child.kill('SIGKILL');
  await Promise.all(runs.map((run) => run.exited));
}

/** For waitFor conditions: a script that has already exited will never meet them, so fail at once with its output. */
export function stillRunning(run: ScriptRun): true {
  if (run.child.exitCode !== null || run.child.signalCode !== null) {
    throw new Error(`The script exited early (${run.child.exitCode ?? run.child.signalCode}):\n${run.stderr()}`);
  }
  return true;
}
