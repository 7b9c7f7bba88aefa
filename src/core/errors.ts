/** The bridge graph was started with input it cannot read. Nothing was queued or changed. */
export class BridgeInputError extends Error {
  override name = 'BridgeInputError';
}

/** A batch-bridge model or `wait()` was used where it cannot pause: outside a LangGraph server run, or in a stream. */
export class BridgeUsageError extends Error {
  override name = 'BridgeUsageError';
}

/** The waiting node could not hand its request to the bridge thread. */
export class BridgeUnavailableError extends Error {
  override name = 'BridgeUnavailableError';
}

/** An interrupt was resumed with a value that is not this request's outcome. */
export class BridgeOutcomeMismatchError extends Error {
  override name = 'BridgeOutcomeMismatchError';
}

/** A request ended with an error outcome (used by the generic `wait()`; the OpenAI models throw APICallError). */
export class BatchRequestError extends Error {
  override name = 'BatchRequestError';
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode?: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * True when the LangGraph API answered that what was asked for (a thread, a run) does not exist. The bridge's
 * in-process client and the SDK over HTTP word it differently; both name the 404 or say "not found".
 */
export function isNotFound(error: unknown): boolean {
  return /\b404\b|not found/i.test(errorMessage(error));
}
