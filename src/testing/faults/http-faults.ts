import { ApiError, serverError } from '../api-error.js';
import { insufficientQuotaBody, openAIErrorBody } from '../openai-error.js';
import type { ApiOperation, HttpFaults } from '../types.js';

/** The operations whose next N calls can be made to answer 500 (`HttpFaults.upload` and so on). */
export type ServerErrorOperation = 'upload' | 'createBatch' | 'retrieveBatch' | 'fileContent';

const serverErrorOperations: readonly ServerErrorOperation[] = [
  'upload',
  'createBatch',
  'retrieveBatch',
  'fileContent',
];

export function insufficientQuotaError(): ApiError {
  return new ApiError(429, insufficientQuotaBody());
}

/**
 * OpenAI's answer when batch creations per hour run out. `retry-after` is whole seconds; `retry-after-ms` is sent
 * only when asked for, so a client can be seen honouring either header (the openai client prefers the ms one).
 */
export function creationRateLimitError(retryAfter: { seconds?: number; ms?: number }): ApiError {
  const seconds = retryAfter.seconds ?? (retryAfter.ms === undefined ? 1 : Math.ceil(retryAfter.ms / 1000));
  const headers: Record<string, string> = { 'retry-after': String(seconds) };
  if (retryAfter.ms !== undefined) headers['retry-after-ms'] = String(retryAfter.ms);
  const wait = retryAfter.ms === undefined ? `${seconds}s` : `${retryAfter.ms}ms`;
  return new ApiError(
    429,
    openAIErrorBody(
      `Rate limit reached for batch creations in organization org-emulator on requests per hour (RPH): Limit 2000, Used 2000, Requested 1. Please try again in ${wait}.`,
      'requests',
      null,
      'rate_limit_exceeded',
    ),
    headers,
  );
}

/** Emulator-wide HTTP faults: counted 500s and rate limits, standing quota refusals and delays. */
export class HttpFaultState {
  private serverErrorsRemaining = new Map<ServerErrorOperation, number>();
  private quota: HttpFaults['insufficientQuota'] = [];
  private rateLimitsRemaining = 0;
  private rateLimitWait: { seconds?: number; ms?: number } = {};
  private delays: HttpFaults['delayMs'] = {};

  set(faults: HttpFaults): void {
    this.serverErrorsRemaining = new Map(serverErrorOperations.map((operation) => [operation, faults[operation] ?? 0]));
    this.quota = faults.insufficientQuota ?? [];
    this.rateLimitsRemaining = faults.createRateLimit?.times ?? 0;
    this.rateLimitWait = {
      seconds: faults.createRateLimit?.retryAfterSeconds,
      ms: faults.createRateLimit?.retryAfterMs,
    };
    this.delays = { ...faults.delayMs };
  }

  /** The error this call must answer with instead of its work, if any; counted faults are used up by it. */
  takeError(operation: ApiOperation): ApiError | undefined {
    if (this.quota === 'all' || this.quota?.includes(operation)) return insufficientQuotaError();
    if (operation === 'createBatch' && this.rateLimitsRemaining > 0) {
      this.rateLimitsRemaining -= 1;
      return creationRateLimitError(this.rateLimitWait);
    }
    const remaining = this.serverErrorsRemaining.get(operation as ServerErrorOperation) ?? 0;
    if (remaining > 0) {
      this.serverErrorsRemaining.set(operation as ServerErrorOperation, remaining - 1);
      return serverError();
    }
    return undefined;
  }

  delayFor(operation: ApiOperation): number {
    return Math.max(0, this.delays?.[operation] ?? 0);
  }
}
