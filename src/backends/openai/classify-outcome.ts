import type { RequestOutcome } from '../types.js';
import type { BatchStatus } from './openai-types.js';
import { malformedLineCode, type BatchOutputLine } from './parse-batch-output.js';

/** One entry of a failed batch's `errors.data`. */
export interface BatchErrorData {
  code?: string | null;
  message?: string | null;
  param?: string | null;
  /** 1-based line of the input file, when the error is about one line. */
  line?: number | null;
}

/** Non-HTTP line errors that say nothing about the request itself: sending it again may well succeed. */
const retryableLineErrorCodes = new Set([
  'batch_expired',
  'batch_cancelled',
  'token_limit_exceeded',
  malformedLineCode,
]);

/**
 * Whether an HTTP status is worth trying again. 429 `insufficient_quota` is the exception: it is a billing state,
 * and resubmitting only burns attempts until someone pays.
 */
export function isRetryableStatus(statusCode: number, code?: string | null): boolean {
  if (statusCode === 429) return code !== 'insufficient_quota';
  return statusCode >= 500;
}

/** Turns one output or error file line into the outcome of its request. */
export function classifyOutputLine(line: BatchOutputLine): RequestOutcome {
  const customId = line.custom_id;
  if (line.response) {
    const { status_code: statusCode, body } = line.response;
    if (statusCode >= 200 && statusCode < 300) return { type: 'success', customId, statusCode, body };
    const apiError = errorObjectOf(body);
    const code = textOrUndefined(apiError?.code) ?? textOrUndefined(apiError?.type) ?? `http_${statusCode}`;
    return {
      type: 'error',
      customId,
      statusCode,
      body,
      code,
      message: textOrUndefined(apiError?.message) ?? `The request failed with HTTP status ${statusCode}.`,
      retryable: isRetryableStatus(statusCode, textOrUndefined(apiError?.code)),
    };
  }
  const code = textOrUndefined(line.error?.code) ?? 'unknown_error';
  return {
    type: 'error',
    customId,
    code,
    message: textOrUndefined(line.error?.message) ?? `The request failed with ${code}.`,
    retryable: retryableLineErrorCodes.has(code),
  };
}

/** The outcome of a request that a terminal batch left out of both its files. */
export function missingOutcome(customId: string, status: BatchStatus): RequestOutcome {
  if (status === 'expired') {
    return retryableError(customId, 'batch_expired', 'The batch expired before this request was processed.');
  }
  if (status === 'cancelled') {
    return retryableError(customId, 'batch_cancelled', 'The batch was cancelled before this request was processed.');
  }
  return retryableError(
    customId,
    'missing_result',
    `The batch ended ${status} but neither its output nor its error file has a line for this request.`,
  );
}

/**
 * Outcomes for a batch that ended `failed`. Such a batch ran nothing, so every request gets an error:
 * - token_limit_exceeded anywhere: the queue was full, not the requests wrong, so every request may be retried;
 * - an error naming an input line: that line's request is wrong, non-retryable;
 * - an error naming no line (or a line we did not send): every request carries it, non-retryable, since we cannot
 *   tell which one is at fault;
 * - a request that no error names, when every error named some other line: it was only caught in a neighbour's
 *   failure, so it is retryable (`batch_failed`); resubmitted without the bad line it can succeed.
 */
export function outcomesForFailedBatch(
  customIds: readonly string[],
  errors: readonly BatchErrorData[],
): RequestOutcome[] {
  const tokenLimit = errors.find((error) => error.code === 'token_limit_exceeded');
  if (tokenLimit) {
    const message = textOrUndefined(tokenLimit.message) ?? 'The enqueued-token limit of the model was exceeded.';
    return customIds.map((customId) => retryableError(customId, 'token_limit_exceeded', message));
  }

  const byCustomId = new Map<string, BatchErrorData[]>();
  const unplaced: BatchErrorData[] = [];
  for (const error of errors) {
    const customId = typeof error.line === 'number' ? customIds[error.line - 1] : undefined;
    if (customId === undefined) {
      unplaced.push(error);
      continue;
    }
    const list = byCustomId.get(customId) ?? [];
    list.push(error);
    byCustomId.set(customId, list);
  }

  return customIds.map((customId): RequestOutcome => {
    const own = [...(byCustomId.get(customId) ?? []), ...unplaced];
    if (own.length > 0) {
      return {
        type: 'error',
        customId,
        code: textOrUndefined(own[0].code) ?? 'batch_failed',
        message: `The batch failed validation: ${own.map(describeBatchError).join('; ')}`,
        retryable: false,
      };
    }
    if (errors.length === 0) {
      return {
        type: 'error',
        customId,
        code: 'batch_failed',
        message: 'The batch failed without saying why (no errors.data).',
        retryable: false,
      };
    }
    return retryableError(
      customId,
      'batch_failed',
      `The batch failed validation because of other requests: ${errors.map(describeBatchError).join('; ')}`,
    );
  });
}

function describeBatchError(error: BatchErrorData): string {
  const where = typeof error.line === 'number' ? `line ${error.line}: ` : '';
  const code = textOrUndefined(error.code);
  const message = textOrUndefined(error.message) ?? 'no message';
  return `${where}${message}${code ? ` (${code})` : ''}`;
}

function retryableError(customId: string, code: string, message: string): RequestOutcome {
  return { type: 'error', customId, code, message, retryable: true };
}

function errorObjectOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
}

function textOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
