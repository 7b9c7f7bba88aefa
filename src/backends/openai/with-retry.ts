import { setTimeout as sleep } from 'node:timers/promises';
import { APIConnectionError, APIError } from 'openai';
import { BatchApiError, BatchBackendError, type BatchApiOperation } from './errors.js';
import { redactSecrets } from './redact-secrets.js';
import type { RetrySettings } from './settings.js';

export interface ApiFailure {
  status: number | undefined;
  code: string | undefined;
  retryable: boolean;
  detail: string;
  /** What the server asked for in Retry-After, in milliseconds. */
  retryAfterMs: number | undefined;
}

/** Codes of network failures below HTTP (undici and Node sockets) that a new connection may not meet again. */
const networkErrorCode = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

/**
 * Decides whether a failed call is transient: no answer at all, 408, 409 (OpenAI's lock timeout), 429 (except
 * insufficient_quota, which is billing) and 5xx are; any other answer is final.
 */
export function describeApiFailure(error: unknown): ApiFailure {
  if (error instanceof APIConnectionError) {
    const detail = describeConnectionError(error);
    return { status: undefined, code: undefined, retryable: true, detail, retryAfterMs: undefined };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const retryable =
      status === 408 || status === 409 || (status === 429 && code !== 'insufficient_quota') || status >= 500;
    return { status, code, retryable, detail: error.message, retryAfterMs: retryAfterOf(error.headers) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: undefined,
    code: undefined,
    retryable: hasNetworkCause(error),
    detail: message,
    retryAfterMs: undefined,
  };
}

/**
 * Runs one API call, retrying transient failures with exponential backoff, and turns the final failure into a
 * BatchApiError naming the operation. Errors the backend raises itself pass through untouched.
 * `call` gets the attempt number so that a non-idempotent call can check, before trying again, whether an earlier
 * attempt took effect after all.
 */
export async function callWithRetry<T>(
  operation: BatchApiOperation,
  retry: RetrySettings,
  secrets: readonly (string | undefined)[],
  call: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      if (error instanceof BatchBackendError) throw error;
      const failure = describeApiFailure(error);
      if (failure.retryable && attempt < retry.attempts) {
        await sleep(retryDelay(attempt, retry, failure.retryAfterMs));
        continue;
      }
      throw toBatchApiError(operation, failure, attempt, secrets);
    }
  }
}

export function toBatchApiError(
  operation: BatchApiOperation,
  failure: ApiFailure,
  attempts: number,
  secrets: readonly (string | undefined)[],
): BatchApiError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const outcome = failure.status === undefined ? 'no HTTP answer' : `HTTP ${failure.status}`;
  const message = `OpenAI Batch API operation "${operation}" failed after ${tries} (${outcome}): ${failure.detail}`;
  return new BatchApiError({
    operation,
    status: failure.status,
    retryable: failure.retryable,
    attempts,
    message: redactSecrets(message, secrets),
    code: failure.code,
    retryAfterMs: failure.retryAfterMs,
  });
}

/** Doubling delay with jitter (so many bridges do not retry in step), never below what the server asked for. */
export function retryDelay(attempt: number, retry: RetrySettings, retryAfterMs?: number): number {
  const exponential = retry.baseDelayMs * 2 ** (attempt - 1);
  const jittered = exponential * (0.5 + Math.random() * 0.5);
  return Math.min(retry.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

function retryAfterOf(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeConnectionError(error: APIConnectionError): string {
  const codes: string[] = [];
  for (let cause: unknown = error.cause; cause instanceof Error && codes.length < 5; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes.length > 0 ? `${error.message} (${codes.join(', ')})` : error.message;
}

function hasNetworkCause(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCode.test(code)) return true;
    if (cause.message === 'terminated' || cause.message === 'fetch failed') return true;
  }
  return false;
}
