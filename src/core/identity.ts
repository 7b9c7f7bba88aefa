import { createHash } from 'node:crypto';

/** One key per waiting call; interrupt ids (the bridge) are only unique within a thread. */
export function requestKeyOf(threadId: string, interruptId: string): string {
  return createHash('sha256').update(`${threadId}\u0000${interruptId}`).digest('hex').slice(0, 32);
}

/** The batch line's custom_id: the request and its attempt, within OpenAI's and Anthropic's custom_id rules. */
export function customIdOf(requestKey: string, attempt: number): string {
  return `bb-${requestKey}-${attempt}`;
}

/** Stable digest of a JSON payload; identical calls build byte-identical bodies, so it survives re-execution. */
export function digestOf(payload: unknown): string {
  return measurePayload(payload).digest;
}

/** The digest and the JSON size of a payload, from one serialization. */
export function measurePayload(payload: unknown): { digest: string; bytes: number } {
  const text = JSON.stringify(payload);
  return { digest: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
}
