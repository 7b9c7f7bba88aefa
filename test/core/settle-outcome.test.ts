import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../src/backends/types.js';
import {
  afterPollFailure,
  afterSubmitFailure,
  engineOptionsSchema,
  maxSubmitBackoffMs,
  queuedTooLong,
  nextBatchSizeLimit,
  oversizeRefusal,
  settleOutcome,
  unavailableOutcomes,
  type SettleContext,
} from '../../src/core/index.js';
import { localOptionsSchema } from '../../src/local/index.js';

const context: SettleContext = {
  batchId: 'batch_1',
  batchStatus: 'completed',
  cancelRequested: false,
  maxAttempts: 3,
  backoffMs: 60_000,
  now: 1_000_000,
};

const success: RequestOutcome = { customId: 'c', type: 'success', statusCode: 200, body: { id: 'chatcmpl-1' } };
const error = (code: string, retryable: boolean, statusCode?: number): RequestOutcome => ({
  customId: 'c',
  type: 'error',
  code,
  message: `${code} happened`,
  retryable,
  statusCode,
  body: statusCode ? { error: { message: `${code} happened` } } : undefined,
});

describe('settleOutcome: one decision per request of a terminal batch, in both modes', () => {
  it('delivers a success as it came, without the custom id', () => {
    expect(settleOutcome(success, { attempt: 1 }, context)).toEqual({
      action: 'deliver',
      outcome: { type: 'success', statusCode: 200, body: { id: 'chatcmpl-1' } },
    });
  });

  it('retries a retryable failure at once, counting the attempt, until maxAttempts', () => {
    expect(settleOutcome(error('batch_expired', true), { attempt: 1 }, context)).toEqual({
      action: 'retry',
      attempt: 2,
      notBefore: null,
    });
    expect(settleOutcome(error('server_error', true, 500), { attempt: 2 }, context)).toMatchObject({
      action: 'retry',
      attempt: 3,
    });
    const last = settleOutcome(error('server_error', true, 500), { attempt: 3 }, context);
    expect(last).toMatchObject({
      action: 'deliver',
      outcome: { type: 'error', code: 'server_error', statusCode: 500 },
    });
    // The message is the API's own: the attempts are said once, by the provider that throws the error.
    expect(last.action === 'deliver' && last.outcome.type === 'error' && last.outcome.message).toBe(
      'server_error happened',
    );
  });

  it('backs off after token_limit_exceeded, doubling with each attempt', () => {
    const tokenLimit = error('token_limit_exceeded', true);
    expect(settleOutcome(tokenLimit, { attempt: 1 }, context)).toEqual({
      action: 'retry',
      attempt: 2,
      notBefore: 1_000_000 + 60_000,
    });
    expect(settleOutcome(tokenLimit, { attempt: 2 }, context)).toEqual({
      action: 'retry',
      attempt: 3,
      notBefore: 1_000_000 + 120_000,
    });
  });

  it('delivers a final error at once, whatever the attempt', () => {
    const settled = settleOutcome(error('invalid_request_error', false, 400), { attempt: 1 }, context);
    expect(settled).toEqual({
      action: 'deliver',
      outcome: {
        type: 'error',
        code: 'invalid_request_error',
        message: 'invalid_request_error happened',
        statusCode: 400,
        body: { error: { message: 'invalid_request_error happened' } },
      },
    });
  });

  it('answers every unfinished request of a batch cancelled on request with `cancelled`, never a retry', () => {
    const cancelled = { ...context, cancelRequested: true };
    expect(settleOutcome(error('batch_cancelled', true), { attempt: 1 }, cancelled)).toMatchObject({
      action: 'deliver',
      outcome: { type: 'error', code: 'cancelled' },
    });
    expect(settleOutcome(success, { attempt: 1 }, cancelled)).toMatchObject({ outcome: { type: 'success' } });
  });

  it('takes a request the batch left without a result as retryable', () => {
    expect(settleOutcome(undefined, { attempt: 1 }, context)).toEqual({ action: 'retry', attempt: 2, notBefore: null });
    expect(settleOutcome(undefined, { attempt: 3 }, context)).toMatchObject({
      action: 'deliver',
      outcome: { code: 'missing_result', message: expect.stringContaining('batch_1 ended (completed)') },
    });
  });
});

describe('nextBatchSizeLimit: halving after a token limit', () => {
  it('halves on token_limit_exceeded, keeps at least one, lifts on a success, else keeps the cut', () => {
    const tokenLimit = [error('token_limit_exceeded', true)];
    expect(nextBatchSizeLimit(undefined, 10, tokenLimit)).toBe(5);
    expect(nextBatchSizeLimit(5, 5, tokenLimit)).toBe(2);
    expect(nextBatchSizeLimit(1, 1, tokenLimit)).toBe(1);
    expect(nextBatchSizeLimit(2, 2, [success])).toBeUndefined();
    expect(nextBatchSizeLimit(2, 2, [error('server_error', true, 500)])).toBe(2);
  });
});

describe('poll failures', () => {
  it('polls again until maxPollFailures failures in a row, then gives up', () => {
    expect([1, 2, 9, 10, 11].map((failures) => afterPollFailure(failures, 10))).toEqual([
      'poll_again',
      'poll_again',
      'poll_again',
      'give_up',
      'give_up',
    ]);
  });

  it('gives up with one retryable outcome per request, saying why', () => {
    const outcomes = unavailableOutcomes('batch_9', ['a', 'b'], new Error('HTTP 404 file gone'));
    expect(outcomes).toEqual([
      expect.objectContaining({ customId: 'a', code: 'results_unavailable', retryable: true }),
      expect.objectContaining({ customId: 'b', code: 'results_unavailable', retryable: true }),
    ]);
    expect(outcomes[0].type === 'error' && outcomes[0].message).toContain(
      'batch_9 could not be read: HTTP 404 file gone',
    );
  });
});

describe('options and limits both modes share', () => {
  it('has one schema: the local mode changes only defaults a script needs', () => {
    const bridge = engineOptionsSchema.parse({});
    const local = localOptionsSchema.parse({});
    expect(bridge).toMatchObject({ maxAttempts: 3, maxPollFailures: 10, maxWaitMs: 60_000, pollIntervalMs: 60_000 });
    expect(local).toMatchObject({ maxAttempts: 3, maxPollFailures: 10, maxWaitMs: 1_000, pollIntervalMs: 30_000 });
    expect(local.maxRequestBytes).toBe(bridge.maxRequestBytes);
  });

  it('refuses a request over maxRequestBytes, naming the size and the limit', () => {
    expect(oversizeRefusal(100, 100, 'bridge')).toBeNull();
    expect(oversizeRefusal(101, 100, 'local mode')).toEqual({
      type: 'error',
      code: 'request_rejected',
      message: "request body is 101 bytes, over the local mode's limit of 100 bytes (maxRequestBytes)",
    });
  });
});

describe('afterSubmitFailure: a refused submission never loops', () => {
  const refusal = (status: number, retryable: boolean, extra: object = {}) =>
    Object.assign(new Error(`HTTP ${status}: refused`), { status, retryable, code: 'invalid_api_key', ...extra });

  it('fails the calls at once on a final refusal, with the API’s status, code and message', () => {
    expect(afterSubmitFailure(refusal(401, false), { failures: 0, now: 0, submitBackoffMs: 5_000 })).toEqual({
      action: 'fail',
      outcome: { type: 'error', statusCode: 401, code: 'invalid_api_key', message: 'HTTP 401: refused' },
    });
  });

  it('backs off a passing refusal, doubling with each failure in a row, at most 15 min', () => {
    const untils = [0, 1, 2, 10, 20].map((failures) => {
      const decision = afterSubmitFailure(refusal(500, true), { failures, now: 1_000, submitBackoffMs: 5_000 });
      return decision.action === 'back_off' ? decision.until - 1_000 : -1;
    });
    expect(untils).toEqual([5_000, 10_000, 20_000, maxSubmitBackoffMs, maxSubmitBackoffMs]);
  });

  it('waits at least as long as Retry-After asks, and takes an unknown error for a passing one', () => {
    const limited = refusal(429, true, { retryAfterMs: 90_000 });
    expect(afterSubmitFailure(limited, { failures: 0, now: 0, submitBackoffMs: 5_000 })).toEqual({
      action: 'back_off',
      until: 90_000,
    });
    expect(afterSubmitFailure(new Error('socket hang up'), { failures: 0, now: 0, submitBackoffMs: 5_000 })).toEqual({
      action: 'back_off',
      until: 5_000,
    });
  });

  it('says when a request has waited too long for the API to take it', () => {
    expect(queuedTooLong(0, 59_999, 60_000)).toBe(false);
    expect(queuedTooLong(0, 60_000, 60_000)).toBe(true);
  });
});

describe('a batch cancelled outside batch-bridge', () => {
  it('is never submitted again: its unfinished requests are answered `cancelled`', () => {
    expect(settleOutcome(error('batch_cancelled', true), { attempt: 1 }, context)).toMatchObject({
      action: 'deliver',
      outcome: { type: 'error', code: 'cancelled', message: expect.stringContaining('outside batch-bridge') },
    });
  });
});
