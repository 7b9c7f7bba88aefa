/**
 * The two timings a deployment or a test may set without code, for the bridge and the local mode alike:
 * `BATCH_BRIDGE_MAX_WAIT_MS` (submit a request at the latest this long after it was queued) and
 * `BATCH_BRIDGE_POLL_INTERVAL_MS` (how often batches in flight are polled). An option given in code wins; a test
 * against the offline emulator sets both low instead of waiting a minute for each.
 */
export function timingsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): {
  maxWaitMs?: number;
  pollIntervalMs?: number;
} {
  const maxWaitMs = millisecondsFrom(environment, 'BATCH_BRIDGE_MAX_WAIT_MS', 0);
  const pollIntervalMs = millisecondsFrom(environment, 'BATCH_BRIDGE_POLL_INTERVAL_MS', 1);
  return {
    ...(maxWaitMs !== undefined && { maxWaitMs }),
    ...(pollIntervalMs !== undefined && { pollIntervalMs }),
  };
}

function millisecondsFrom(environment: NodeJS.ProcessEnv, name: string, least: number): number | undefined {
  const value = environment[name];
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < least) {
    throw new Error(`${name} must be a whole number of milliseconds, at least ${least}, not '${value}'.`);
  }
  return ms;
}
