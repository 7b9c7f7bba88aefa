import { errorMessage } from '../core/index.js';

/**
 * True when the LangGraph API answered that what was asked for (a thread, a run) does not exist. The bridge's
 * in-process client and the SDK over HTTP word it differently; both name the 404 or say "not found".
 */
export function isNotFound(error: unknown): boolean {
  return /\b404\b|not found/i.test(errorMessage(error));
}
