import { describe, expect, it } from 'vitest';
import { resolveLocalOptions } from '../../src/local/local-options.js';

describe('the local mode poll interval from the environment', () => {
  it('is 30 s by default, BATCH_BRIDGE_POLL_INTERVAL_MS when set, and the code wins over both', () => {
    expect(resolveLocalOptions({}, {}).pollIntervalMs).toBe(30_000);
    expect(resolveLocalOptions({}, { BATCH_BRIDGE_POLL_INTERVAL_MS: '200' }).pollIntervalMs).toBe(200);
    expect(resolveLocalOptions({ pollIntervalMs: 5000 }, { BATCH_BRIDGE_POLL_INTERVAL_MS: '200' }).pollIntervalMs).toBe(
      5000,
    );
  });

  it('refuses a value that is not a positive whole number, naming the variable', () => {
    expect(() => resolveLocalOptions({}, { BATCH_BRIDGE_POLL_INTERVAL_MS: 'fast' })).toThrow(
      /BATCH_BRIDGE_POLL_INTERVAL_MS must be a whole number of milliseconds above 0, not 'fast'/,
    );
  });
});
