/**
 * Runs inside the dev server process: lets a stop happen between runs. A run cut off mid-way is saved as `running`
 * and then blocks its thread's queue after a restart (the dev server never runs it again); a bridge tick cut off
 * between creating a batch and recording it would submit those requests again. So a stop first keeps the workers
 * from starting new runs (FileSystemRuns.next, patched on the prototype; no file in node_modules changes), then waits,
 * bounded, for the runs in progress to end. Pending runs stay pending and run after the restart.
 */

/** The parts of @langchain/langgraph-api's FileSystemRuns and ops data (1.5.x) this relies on. */
interface RunsPrototype {
  next(this: unknown): AsyncGenerator<unknown>;
}
type OpsData =
  { runs?: Record<string, { status?: string; thread_id?: string; kwargs?: { input?: unknown } }> } | null | undefined;

/** A FileSystemRuns instance, as far as releasing cut-off runs needs it. */
interface RunsInstance {
  setStatus(runId: string, status: string): Promise<void>;
  threads: {
    setStatus(threadId: string, options: { checkpoint: unknown; exception?: unknown }): Promise<void>;
    state: { get(config: unknown, options: unknown, auth: unknown): Promise<unknown> };
  };
}

export interface RunSettler {
  /** Stops the workers from taking new runs, then waits until no run is running (at most `graceMs`). */
  settle(graceMs: number): Promise<{ stillRunning: number }>;
}

/** Returns undefined, changing nothing, when the class does not have the shape this was written for. */
export function makeRunsSettleable(
  runsClass: unknown,
  opsData: () => OpsData,
  notice: (line: string) => void = console.error,
): RunSettler | undefined {
  const prototype = (runsClass as { prototype?: Partial<RunsPrototype> } | undefined)?.prototype;
  if (!prototype || typeof prototype.next !== 'function') return undefined;
  const next = prototype.next;
  let holding = false;
  let released: Promise<void> | undefined;
  prototype.next = async function* (this: unknown) {
    // Once, before the first run is taken: runs a crash left `running` would block their threads for good.
    released ??= releaseCutOffRuns(this as RunsInstance, opsData, notice).catch((error: unknown) =>
      notice(`[batch-bridge dev] could not release the runs a crash cut off: ${String(error)}`),
    );
    await released;
    const inner = next.call(this);
    try {
      // Checked before each run is taken: taking one marks it running, and the check and the take are not split by
      // any I/O, so a stop cannot slip in between.
      while (!holding) {
        const taken = await inner.next();
        if (taken.done) return;
        yield taken.value;
      }
    } finally {
      await inner.return(undefined);
    }
  };
  const running = () => Object.values(opsData()?.runs ?? {}).filter((run) => run.status === 'running').length;
  return {
    async settle(graceMs) {
      holding = true;
      const deadline = Date.now() + graceMs;
      while (running() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      return { stillRunning: running() };
    },
  };
}

/**
 * A run saved as `running` was cut off by a crash (kill -9, power loss): a clean stop lets runs end first. The dev
 * server never runs it again, and it blocks every later run of its thread (a resume, the bridge's next tick).
 * - A bridge's run (its input is a batch-bridge event) is run again: the bridge reads everything from its store and
 *   may run any event twice; without it, a bridge whose next tick was not saved yet would never run again.
 * - Any other run is marked `error` (running a graph's input again would start its work over), and its thread's
 *   status and pending interrupts are read again from its checkpoint (the data files are saved separately, so the
 *   thread's cached status can be older than its checkpoint): a thread that was waiting on an interrupt is then
 *   `interrupted` again, where the bridge can answer it or ask it to hand its request over.
 */
async function releaseCutOffRuns(
  runs: RunsInstance,
  opsData: () => OpsData,
  notice: (line: string) => void,
): Promise<void> {
  const cutOff = Object.entries(opsData()?.runs ?? {}).filter(([, run]) => run.status === 'running');
  if (cutOff.length === 0) return;
  const threads = new Set<string>();
  let again = 0;
  for (const [runId, run] of cutOff) {
    if (isBridgeEvent(run.kwargs?.input)) {
      await runs.setStatus(runId, 'pending');
      again += 1;
      continue;
    }
    await runs.setStatus(runId, 'error');
    if (run.thread_id) threads.add(run.thread_id);
  }
  for (const threadId of threads) {
    try {
      const checkpoint = await runs.threads.state.get(
        { configurable: { thread_id: threadId } },
        { subgraphs: false },
        undefined,
      );
      await runs.threads.setStatus(threadId, { checkpoint });
    } catch {
      // A thread without a checkpoint or graph keeps its status; it is no longer blocked.
    }
  }
  notice(
    `[batch-bridge dev] ${cutOff.length} run(s) were cut off by a crash (kill -9 or a power loss): ${again} bridge run(s) ` +
      `run again; ${cutOff.length - again} other run(s) marked as failed, so that their ${threads.size} thread(s) take runs again.`,
  );
}

/** The input of a batch-bridge bridge run: `{ event: { type } }` (protocol/bridge-events.ts). */
function isBridgeEvent(input: unknown): boolean {
  const event = (input as { event?: { type?: unknown } } | null | undefined)?.event;
  return typeof event?.type === 'string';
}
