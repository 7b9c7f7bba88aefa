import { createOpenAIBridge } from '../../../src/index.js';

// Short timings so that the e2e suite runs in seconds; OPENAI_BASE_URL points at the emulator.
export const batchBridge = createOpenAIBridge({ maxWaitMs: 1500, pollIntervalMs: 1000, maxRequests: 5000 });
export const smallBridge = createOpenAIBridge({ maxWaitMs: 1500, pollIntervalMs: 1000, maxRequests: 30 });
/** For the fault suite: quick backoff after token limits, and few failed polls before resubmitting. */
export const faultBridge = createOpenAIBridge({
  maxWaitMs: 1500,
  pollIntervalMs: 1000,
  backoffMs: 1000,
  maxPollFailures: 3,
  maxAttempts: 3,
});
/** For restarts while requests are queued: a long wait before a flush. */
export const slowFlushBridge = createOpenAIBridge({ maxWaitMs: 8000, pollIntervalMs: 1000 });
/**
 * For checks of what a bridge holds: a request is submitted only with a second one (maxRequests 2), never for the
 * time it has waited, so a lone request stays queued until the test sends another or cancels it.
 */
export const holdBridge = createOpenAIBridge({ maxWaitMs: 600_000, pollIntervalMs: 1000, maxRequests: 2 });
/**
 * For checks of what goes out together: a batch is submitted when 20 requests wait, never for the time they have
 * waited, so requests that reach the bridge one by one (slowly, or across a restart) still go out as one batch.
 */
export const countBridge = createOpenAIBridge({ maxWaitMs: 600_000, pollIntervalMs: 1000, maxRequests: 20 });
/** For a refused key: the emulator answers 401 to any other key than the suite's. */
export const refusedKeyBridge = createOpenAIBridge({
  maxWaitMs: 500,
  pollIntervalMs: 1000,
  openai: { apiKey: 'sk-a-key-the-api-refuses-0000000000' },
});
/** For the cost suite: the user's prices for a fine-tune the price catalog does not know. */
export const pricedBridge = createOpenAIBridge({
  maxWaitMs: 1500,
  pollIntervalMs: 1000,
  prices: {
    'ft:gpt-4o-mini-2024-07-18:acme::cost1': { input: 0.3, cachedInput: 0.15, output: 1.2, asOf: '2026-11-01' },
  },
});
