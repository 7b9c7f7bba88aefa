import { existsSync } from 'node:fs';
import path from 'node:path';
import { createOpenAIBridge } from '../../../src/index.js';

/**
 * The bridge of the kill -9 test: the launcher bridge's flush rule (15 requests, or a `drain` file in the server's
 * folder), and an unknown batch is taken for an orphan after 15 s without any of its requests handed over again.
 */
export const crashBridge = createOpenAIBridge({
  pollIntervalMs: 500,
  shouldSubmit: (queue) => queue.count >= 15 || existsSync(path.join(process.cwd(), 'drain')),
  reconcile: { orphanAfterMs: 15_000 },
});
