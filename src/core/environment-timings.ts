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

/** The options given in code over the environment's timings; an option set to undefined counts as not given. */
export function withEnvironmentTimings<T extends object>(
  options: T,
  environment: NodeJS.ProcessEnv = process.env,
): Partial<T> & ReturnType<typeof timingsFromEnvironment> {
  return { ...timingsFromEnvironment(environment), ...definedOnly(options) };
}

/** The entries whose value is not undefined (a spread would let an explicit undefined override a default). */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
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
