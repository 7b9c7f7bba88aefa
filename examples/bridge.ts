import { createOpenAIBridge } from 'batch-bridge';

/**
 * The bridge graph. Register it in langgraph.json as `batch_bridge`; it reads OPENAI_API_KEY (and OPENAI_BASE_URL,
 * if set) from the server's environment. These timings suit a demo; real batches take minutes to hours, so the
 * defaults (flush after 60 s, poll every 60 s) are gentler on the API.
 */
export const bridge = createOpenAIBridge({
  maxWaitMs: Number(process.env.BATCH_BRIDGE_MAX_WAIT_MS ?? 60_000),
  pollIntervalMs: Number(process.env.BATCH_BRIDGE_POLL_INTERVAL_MS ?? 60_000),
});
