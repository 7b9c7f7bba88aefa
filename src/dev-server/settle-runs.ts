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
type OpsData = { runs?: Record<string, { status?: string }> } | null | undefined;

export interface RunSettler {
  /** Stops the workers from taking new runs, then waits until no run is running (at most `graceMs`). */
  settle(graceMs: number): Promise<{ stillRunning: number }>;
}

/** Returns undefined, changing nothing, when the class does not have the shape this was written for. */
export function makeRunsSettleable(runsClass: unknown, opsData: () => OpsData): RunSettler | undefined {
  const prototype = (runsClass as { prototype?: Partial<RunsPrototype> } | undefined)?.prototype;
  if (!prototype || typeof prototype.next !== 'function') return undefined;
  const next = prototype.next;
  let holding = false;
  prototype.next = async function* (this: unknown) {
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
