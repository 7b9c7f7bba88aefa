/**
 * Child processes of the compatibility check, each in its own process group and marked with a token in its
 * environment, so that every one of them and everything it started (e.g. the `langgraphjs dev` server a check starts
 * in a process group of its own) can be found and stopped by pid: on success, on failure, on a timeout and on Ctrl-C,
 * even after a parent died and its children were re-parented.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

const tokenVariable = 'BATCH_BRIDGE_COMPAT_TOKEN';
const live = new Set();

/** /proc/<pid>/stat split after the command name (which may hold spaces): [state, ppid, ..., starttime at 19]. */
async function statFields(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * The processes started by the run holding `token` (the variable is inherited by everything they spawn), with their
 * start time, so that a pid reused later is never signalled.
 */
async function marked(token) {
  const needle = `${tokenVariable}=${token}`;
  const found = [];
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(needle)) continue;
    const fields = await statFields(entry);
    if (fields && fields[0] !== 'Z') found.push({ pid: Number(entry), start: fields[19] });
  }
  return found;
}

async function stillSame({ pid, start }) {
  const fields = await statFields(pid);
  return fields !== undefined && fields[19] === start && fields[0] !== 'Z';
}

function signal(target, name) {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a run's child and everything it started: SIGTERM to its group (a check then stops its own server), SIGTERM to
 * each marked process outside that group, then SIGKILL to whatever is left after `graceMs`. Returns how many
 * processes had to be stopped besides the child itself.
 */
export async function terminate(child, graceMs = 15_000) {
  const running = child.exitCode === null && child.signalCode === null;
  if (running) signal(-child.pid, 'SIGTERM');
  const others = (await marked(child.token)).filter(({ pid }) => pid !== child.pid);
  for (const process_ of others) signal(process_.pid, 'SIGTERM');
  let left = others;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (left.length > 0 || (child.exitCode === null && child.signalCode === null))) {
    await sleep(200);
    left = await marked(child.token);
  }
  if (child.exitCode === null && child.signalCode === null) signal(-child.pid, 'SIGKILL');
  for (const process_ of await marked(child.token)) {
    if (await stillSame(process_)) signal(process_.pid, 'SIGKILL');
  }
  live.delete(child);
  return others.length;
}

/** Stops every run still going; for the runner's finally block and signal handlers. */
export async function terminateAll() {
  await Promise.allSettled([...live].map((child) => terminate(child, 5_000)));
}

/**
 * Runs a command to its end, its output appended to `logPath`. Resolves `{ code, ms, tail, leftovers }`: a run over
 * `timeoutMs` is stopped and gets code 'timeout'; `leftovers` counts processes it left running (then stopped here).
 * Never rejects on a non-zero exit: the caller decides.
 */
export function run(command, args, { cwd, env = process.env, logPath, timeoutMs }) {
  const started = Date.now();
  const token = randomUUID();
  const log = createWriteStream(logPath, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}   (in ${cwd})\n`);
  const child = spawn(command, args, {
    cwd,
    env: { ...env, [tokenVariable]: token },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.token = token;
  live.add(child);
  const tail = [];
  const collect = (chunk) => {
    log.write(chunk);
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => {
    child.once('close', (code, signalName) => resolve(code ?? signalName));
    child.once('error', (error) => {
      tail.push(String(error));
      if (child.pid === undefined) resolve('spawn-error');
    });
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void terminate(child);
  }, timeoutMs);
  return exited.then(async (code) => {
    clearTimeout(timer);
    // A run that ended may still have left something behind (a crashed check leaves its server): stop that too.
    const leftovers = await terminate(child, 5_000);
    await new Promise((resolve) => log.end(resolve));
    return { code: timedOut ? 'timeout' : code, ms: Date.now() - started, tail, leftovers };
  });
}
