import { describe, expect, it } from 'vitest';
import { timingsFromEnvironment } from '../../src/core/index.js';
import { resolveLocalOptions } from '../../src/local/local-options.js';

describe('timings from the environment (BATCH_BRIDGE_MAX_WAIT_MS, BATCH_BRIDGE_POLL_INTERVAL_MS)', () => {
  it('set the local mode timings when the code does not; the code wins; without them the defaults hold', () => {
    expect(resolveLocalOptions({}, {})).toMatchObject({ pollIntervalMs: 30_000, maxWaitMs: 1_000 });
    const environment = { BATCH_BRIDGE_POLL_INTERVAL_MS: '200', BATCH_BRIDGE_MAX_WAIT_MS: '50' };
    expect(resolveLocalOptions({}, environment)).toMatchObject({ pollIntervalMs: 200, maxWaitMs: 50 });
    expect(resolveLocalOptions({ pollIntervalMs: 5000, maxWaitMs: undefined }, environment)).toMatchObject({
      pollIntervalMs: 5000,
      maxWaitMs: 50,
    });
  });

  it('refuse a value that is not a whole number of milliseconds, naming the variable', () => {
    expect(() => resolveLocalOptions({}, { BATCH_BRIDGE_POLL_INTERVAL_MS: 'fast' })).toThrow(
      /BATCH_BRIDGE_POLL_INTERVAL_MS must be a whole number of milliseconds, at least 1, not 'fast'/,
    );
    expect(() => timingsFromEnvironment({ BATCH_BRIDGE_MAX_WAIT_MS: '-5' })).toThrow(/BATCH_BRIDGE_MAX_WAIT_MS/);
    expect(timingsFromEnvironment({ BATCH_BRIDGE_MAX_WAIT_MS: '0' })).toEqual({ maxWaitMs: 0 });
  });
});
