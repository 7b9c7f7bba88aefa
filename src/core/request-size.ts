import type { Outcome } from '../backends/types.js';

/**
 * A request larger than `maxRequestBytes` is answered with this error instead of being queued, in both modes: a body
 * that large is almost always a mistake (a file pasted into a prompt), and it would crowd every batch it joins.
 */
export function oversizeRefusal(
  bytes: number,
  maxRequestBytes: number,
  mode: 'bridge' | 'local mode',
): Extract<Outcome, { type: 'error' }> | null {
  if (bytes <= maxRequestBytes) return null;
  return {
    type: 'error',
    code: 'request_rejected',
    message: `request body is ${bytes} bytes, over the ${mode}'s limit of ${maxRequestBytes} bytes (maxRequestBytes)`,
  };
}
