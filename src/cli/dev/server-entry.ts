/**
 * The dev server process `batch-bridge dev` starts (in place of @langchain/langgraph-api's own entrypoint, which gives
 * its exit flush 3 s and then exits, mid-write if the data is large). Arguments: the @langchain/langgraph-api folder,
 * then the server's JSON options (last, where the API's preload module reads them).
 *
 * On SIGINT, SIGTERM, SIGHUP, or when the launcher's IPC channel closes (the launcher died): the runs still running
 * are given time to end, the data is saved (atomically, see atomic-persist.ts) with no time limit, and only then does
 * the process exit. The launcher is told how long the save took.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makePersistenceAtomic, type PatchedPersistence } from './atomic-persist.js';

/** How long a stop waits for runs in progress to end before saving (a bridge tick takes well under a second). */
const runsGraceMs = Number(process.env.BATCH_BRIDGE_DEV_RUNS_GRACE_MS ?? 10_000);

const [apiRoot, payload] = process.argv.slice(-2);
const apiModule = (file: string) => import(pathToFileURL(path.join(apiRoot, 'dist', file)).href);

const send = (message: Record<string, unknown>) => {
  if (process.connected) process.send?.(message);
};

let stopping = false;
// Set once the server is up: what a stop does from then on.
const started: { saveAndExit?: () => Promise<void> } = {};
const onStop = (reason: string) => {
  if (stopping) return;
  stopping = true;
  // Before the server is up nothing was changed, and every save is atomic: leaving at once loses nothing.
  if (!started.saveAndExit) process.exit(130);
  console.error(`[batch-bridge dev] ${reason}: saving the data to ${path.join(options.cwd, '.langgraph_api')} before exiting ...`);
  void started.saveAndExit();
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onStop(signal));
process.on('disconnect', () => onStop('the launcher went away'));

const persistence = await apiModule('storage/persist.mjs');
const patch = makePersistenceAtomic(persistence.FileSystemPersistence, persistence.serialize);
if (!patch) {
  console.error('[batch-bridge dev] this @langchain/langgraph-api saves its data differently than expected: its files are written in place, not atomically.');
}
const { startServer, StartServerSchema } = await apiModule('server.mjs');
const options = StartServerSchema.parse(JSON.parse(payload)) as { port: number; cwd: string };
process.env.PORT = String(options.port);
const { host, cleanup } = (await startServer(options)) as { host: string; cleanup: () => Promise<void> };

started.saveAndExit = async () => {
  const started = Date.now();
  let code = 0;
  try {
    if (patch) await runsToEnd(patch, runsGraceMs);
    // Saves, then closes the HTTP server; requests answered during that save are caught by the second save.
    await cleanup();
    await patch?.flushAll();
  } catch (error) {
    console.error('[batch-bridge dev] saving the data failed:', error);
    code = 1;
  }
  const savedInMs = Date.now() - started;
  console.error(`[batch-bridge dev] ${code === 0 ? 'data saved' : 'save FAILED'} in ${savedInMs} ms.`);
  send({ type: 'saved', ok: code === 0, savedInMs });
  process.exit(code);
};
console.error(`[batch-bridge dev] server running at ${host}`);
send({ type: 'ready', host });

/**
 * A run stopped mid-way stays `running` in the saved data and blocks its thread's queue after a restart; a bridge
 * tick stopped between creating a batch and recording it would submit those requests again. So a stop first waits
 * (bounded) until no run is running.
 */
async function runsToEnd(patched: PatchedPersistence, graceMs: number) {
  const ops = [...patched.instances].find((instance) => instance.filepath?.endsWith('.langgraphjs_ops.json'));
  const running = () => {
    const runs = (ops?.data as { runs?: Record<string, { status?: string }> } | undefined)?.runs ?? {};
    return Object.values(runs).filter((run) => run.status === 'running').length;
  };
  const deadline = Date.now() + graceMs;
  while (running() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const left = running();
  if (left > 0) console.error(`[batch-bridge dev] ${left} run(s) still running after ${graceMs} ms; saving anyway.`);
}
