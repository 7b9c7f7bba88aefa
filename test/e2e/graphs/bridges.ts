import { createOpenAIBridge } from '../../../src/index.js';

// Short timings so that the e2e suite runs in seconds; OPENAI_BASE_URL points at the emulator.
export const batchBridge = createOpenAIBridge({ maxWaitMs: 1500, pollIntervalMs: 1000, maxRequests: 5000 });
export const smallBridge = createOpenAIBridge({ maxWaitMs: 1500, pollIntervalMs: 1000, maxRequests: 30 });
