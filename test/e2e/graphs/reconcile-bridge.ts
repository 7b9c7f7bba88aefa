import { existsSync } from 'node:fs';
import path from 'node:path';
import { createOpenAIBridge } from '../../../src/index.js';

/**
 * The bridge of the reconciliation suites. It submits once 10 requests wait (or whatever waits once the test drops a
 * `drain` file in the server's folder), polls every 500 ms, and gives an unknown batch 20 s for its requests to be
 * handed over again before taking it for an orphan.
 */
export const reconcileBridge = createOpenAIBridge({
  pollIntervalMs: 500,
  shouldSubmit: (queue) => queue.count >= 10 || existsSync(path.join(process.cwd(), 'drain')),
  reconcile: { orphanAfterMs: 20_000 },
});
