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
