import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

const bridgeNamespace = uuidv5('https://github.com/batch-bridge/batch-bridge', uuidv5.URL);

/** Every bridge has one fixed thread, derived from its assistant id, so that every process finds the same one. */
export function bridgeThreadId(bridgeAssistantId: string): string {
  return uuidv5(`bridge:${bridgeAssistantId}`, bridgeNamespace);
}

/** One key per waiting interrupt; interrupt ids are only unique within a thread. */
export function requestKeyOf(threadId: string, interruptId: string): string {
  return createHash('sha256').update(`${threadId}\u0000${interruptId}`).digest('hex').slice(0, 32);
}

/** The batch line's custom_id: the request and its attempt, within OpenAI's and Anthropic's custom_id rules. */
export function customIdOf(requestKey: string, attempt: number): string {
  return `bb-${requestKey}-${attempt}`;
}

/** Stable digest of a JSON payload; identical calls build byte-identical bodies, so it survives re-execution. */
export function digestOf(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex');
}
