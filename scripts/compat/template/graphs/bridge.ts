import { createOpenAIBridge } from 'batch-bridge';

// Short timings so that the check takes seconds; OPENAI_BASE_URL points the bridge at the offline emulator.
export const bridge = createOpenAIBridge({ maxWaitMs: 1000, pollIntervalMs: 500 });
