import { z } from 'zod';
import { engineOptionsSchema, withEnvironmentTimings } from '../core/index.js';

/**
 * How the in-process batcher behaves. The engine's options are the bridge's (`engineOptionsSchema`); only the defaults
 * differ where a script differs from a server: a script's burst of calls arrives within milliseconds, so a short
 * `maxWaitMs` loses nothing, and there is one process to keep waiting rather than a graph run per tick.
 */
export const localOptionsSchema = engineOptionsSchema.extend({
  /** Folder of the store (`store.sqlite`); relative to the working directory. Default `.batch-bridge`. */
  directory: z.string().min(1).optional(),
  /**
   * Keep a durable store: answered requests are served from it, batches in flight are reattached after a restart.
   * `false`: nothing is read or written, and identical calls are separate requests.
   */
  cache: z.boolean().default(true),
  /** Ignore what the store holds for this run (answers and batches in flight); new results are still recorded. */
  fresh: z.boolean().optional(),
  /** Submit a lone request at the latest this long after it was queued. */
  maxWaitMs: z.number().int().nonnegative().default(1_000),
  /** How often batches in flight are polled. */
  pollIntervalMs: z.number().int().positive().default(30_000),
  /** Where one-line progress notes go (stderr by default); `false` silences them. */
  log: z.union([z.literal(false), z.custom<(line: string) => void>((value) => typeof value === 'function')]).optional(),
});

export type LocalOptions = z.input<typeof localOptionsSchema>;
export type ResolvedLocalOptions = z.infer<typeof localOptionsSchema> & { fresh: boolean; directory: string };

export const defaultStoreDirectory = '.batch-bridge';

/**
 * `BATCH_BRIDGE_FRESH=1` gives a script a `--fresh` switch without code; `BATCH_BRIDGE_MAX_WAIT_MS` and
 * `BATCH_BRIDGE_POLL_INTERVAL_MS` set those timings when the code does not (a test against the offline emulator polls
 * every 200 ms, not every 30 s).
 */
export function resolveLocalOptions(options: LocalOptions = {}, environment = process.env): ResolvedLocalOptions {
  const parsed = localOptionsSchema.parse(withEnvironmentTimings(options, environment));
  const freshFromEnvironment = ['1', 'true', 'yes'].includes((environment.BATCH_BRIDGE_FRESH ?? '').toLowerCase());
  return {
    ...parsed,
    directory: parsed.directory ?? defaultStoreDirectory,
    fresh: parsed.fresh ?? freshFromEnvironment,
  };
}
