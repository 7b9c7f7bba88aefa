import { createOpenAIBridge } from '../../src/index.js';
import { createSeedBridge } from '../seed/seed-bridge.js';

/**
 * Both bridges flush once the scenario's N requests are queued (BENCH_FLUSH_AT), so that each scenario is one batch
 * and "from batch completion" means one moment. The age rule is pushed out of the way (30 min): at its default (60 s)
 * it fires while a 10,000-way fan-out is still interrupting, and each partial batch then resumes the thread, which
 * makes LangGraph run every task still waiting again (see BENCHMARKS.md). The emulator finishes batches at once, so
 * polls come every second instead of the default minute.
 */
const flushAt = Number(process.env.BENCH_FLUSH_AT ?? 50_000);
const pollIntervalMs = 1_000;
const maxWaitMs = 30 * 60_000;

export const batchBridge = createOpenAIBridge({ maxRequests: flushAt, maxWaitMs, pollIntervalMs });
export const seedBridge = createSeedBridge({ flushAt, maxWaitMs, pollIntervalMs });
