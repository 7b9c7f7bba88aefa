import { z } from 'zod';

/** What the queue looks like when the bridge decides whether to submit. */
export interface QueueSnapshot {
  count: number;
  bytes: number;
  /** Milliseconds since the epoch; null for an empty queue. */
  oldestQueuedAt: number | null;
  now: number;
}

export const flushPolicySchema = z.object({
  /** Submit once this many requests wait; also the most requests in one batch. */
  maxRequests: z.number().int().positive().default(50_000),
  /** Submit once the waiting request bodies add up to this many bytes. */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Submit a request at the latest this long after it was queued, however few are waiting. */
  maxWaitMs: z.number().int().nonnegative().default(60_000),
});
export type FlushPolicy = z.infer<typeof flushPolicySchema> & {
  /** Overrides the size and age rules: return true to submit what is queued now. */
  shouldSubmit?: (queue: QueueSnapshot) => boolean;
};

export function shouldFlush(policy: FlushPolicy, queue: QueueSnapshot): boolean {
  if (queue.count === 0) return false;
  if (policy.shouldSubmit) return policy.shouldSubmit(queue);
  if (queue.count >= policy.maxRequests || queue.bytes >= policy.maxBytes) return true;
  return queue.oldestQueuedAt !== null && queue.now - queue.oldestQueuedAt >= policy.maxWaitMs;
}

/** When the age rule will next fire: the time a tick should come to flush a queue that is too small to go now. */
export function nextFlushAt(policy: FlushPolicy, queue: QueueSnapshot): number | null {
  if (queue.count === 0 || queue.oldestQueuedAt === null) return null;
  return queue.oldestQueuedAt + policy.maxWaitMs;
}
