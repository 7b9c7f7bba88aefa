import { existsSync } from 'node:fs';
import path from 'node:path';
import { createOpenAIBridge } from '../../../src/index.js';

/**
 * The bridge of the launcher tests. It submits as soon as 15 requests wait (the batch that is in flight at Ctrl-C),
 * keeps fewer waiting (the requests still queued at Ctrl-C), and submits whatever waits once the test drops a
 * `drain` file into the server's folder (after the restart, so the test need not wait for an age rule).
 */
export const launcherBridge = createOpenAIBridge({
  pollIntervalMs: 500,
  shouldSubmit: (queue) => queue.count >= 15 || existsSync(path.join(process.cwd(), 'drain')),
});
