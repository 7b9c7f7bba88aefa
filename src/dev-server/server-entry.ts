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
import { makePersistenceAtomic } from './atomic-persist.js';
import { makeRunsSettleable } from './settle-runs.js';

/** How long a stop waits for runs in progress to end before saving (a bridge tick takes well under a second). */
const runsGraceMs = Number(process.env.BATCH_BRIDGE_DEV_RUNS_GRACE_MS ?? 10_000);
/** The longest a change waits to be saved, also under steady load (what a kill -9 can lose at most). */
const saveWithinMs = Number(process.env.BATCH_BRIDGE_DEV_SAVE_WITHIN_MS ?? 10_000);

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
  console.error(
    `[batch-bridge dev] ${reason}: saving the data to ${path.join(options.cwd, '.langgraph_api')} before exiting ...`,
  );
  void started.saveAndExit();
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onStop(signal));
process.on('disconnect', () => onStop('the launcher went away'));

const persistence = await apiModule('storage/persist.mjs');
const patch = makePersistenceAtomic(persistence.FileSystemPersistence, persistence.serialize, saveWithinMs);
if (!patch) {
  console.error(
    '[batch-bridge dev] this @langchain/langgraph-api saves its data differently than expected: its files are written in place, not atomically.',
  );
}
const opsModule = await apiModule('storage/ops.mjs');
const settler = makeRunsSettleable(opsModule.FileSystemRuns, () => {
  const ops = [...(patch?.instances ?? [])].find((instance) => instance.filepath?.endsWith('.langgraphjs_ops.json'));
  return ops?.data as { runs?: Record<string, { status?: string }> } | undefined;
});
if (!settler || !patch) {
  console.error(
    '[batch-bridge dev] this @langchain/langgraph-api runs its queue differently than expected: a stop does not wait for runs in progress.',
  );
}
const { startServer, StartServerSchema } = await apiModule('server.mjs');
const options = StartServerSchema.parse(JSON.parse(payload)) as { port: number; cwd: string };
process.env.PORT = String(options.port);
const { host, cleanup } = (await startServer(options).catch((error: unknown) => {
  // The API logs a failed listen (a taken port) and would keep running its workers without answering: exit instead,
  // telling the launcher why, so that `batch-bridge dev` and the test helper fail at once with the reason.
  const { code, message } = error as { code?: string; message?: string };
  const reason =
    code === 'EADDRINUSE'
      ? `port ${options.port} is taken (another process listens on it); choose another with --port`
      : `the server could not start: ${message ?? String(error)}`;
  console.error(`[batch-bridge dev] ${reason}`);
  send({ type: 'failed', code, reason });
  process.exit(1);
})) as { host: string; cleanup: () => Promise<void> };

started.saveAndExit = async () => {
  const begun = Date.now();
  let settledAt = begun;
  let code = 0;
  try {
    const settled = await settler?.settle(runsGraceMs);
    if (settled?.stillRunning)
      console.error(
        `[batch-bridge dev] ${settled.stillRunning} run(s) still running after ${runsGraceMs} ms; saving anyway.`,
      );
    settledAt = Date.now();
    // Saves, then closes the HTTP server; requests answered during that save are caught by the second save.
    await cleanup();
    await patch?.flushAll();
  } catch (error) {
    console.error('[batch-bridge dev] saving the data failed:', error);
    code = 1;
  }
  const savedInMs = Date.now() - settledAt;
  const runsMs = settledAt - begun;
  console.error(
    `[batch-bridge dev] runs in progress ended in ${runsMs} ms; data ${code === 0 ? 'saved' : 'save FAILED'} in ${savedInMs} ms.`,
  );
  send({ type: 'saved', ok: code === 0, savedInMs, runsMs });
  process.exit(code);
};
console.error(`[batch-bridge dev] server running at ${host}`);
send({ type: 'ready', host });
