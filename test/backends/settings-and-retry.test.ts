import OpenAI, { APIConnectionError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { buildBatchMetadata } from '../../src/backends/openai/batch-metadata.js';
import { BatchApiError, BatchMetadataError, BatchSettingsError } from '../../src/backends/openai/errors.js';
import { redactSecrets } from '../../src/backends/openai/redact-secrets.js';
import { openAIBatchLimits, resolveOpenAIBackendSettings } from '../../src/backends/openai/settings.js';
import { callWithRetry, describeApiFailure, retryDelay } from '../../src/backends/openai/with-retry.js';

const apiKey = 'sk-test-0123456789abcdefSECRET';
const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function apiError(status: number, message: string, code: string | null = null, headers: Record<string, string> = {}) {
  return APIError.generate(status, { error: { message, type: 'server_error', code } }, undefined, new Headers(headers));
}

describe('resolveOpenAIBackendSettings', () => {
  it('fills in OpenAI limits, retry defaults and the key and base URL from the environment', () => {
    const resolved = resolveOpenAIBackendSettings(
      {},
      { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    );
    expect(resolved.limits).toEqual(openAIBatchLimits);
    expect(resolved.limits).toEqual({
      maxRequestsPerBatch: 50_000,
      maxBytesPerFile: 209_715_200,
      maxEmbeddingInputsPerBatch: 50_000,
    });
    expect(resolved.retry).toEqual({ attempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 });
    expect(resolved.client.baseURL).toBe('http://127.0.0.1:9/v1');
    expect(resolved.client.apiKey).toBe(apiKey);
    expect(resolved.client.maxRetries).toBe(0);
  });

  it('prefers explicit settings over the environment and merges partial limits', () => {
    const resolved = resolveOpenAIBackendSettings(
      { apiKey: 'sk-explicit-key-123456', baseURL: 'http://localhost:1/v1', limits: { maxRequestsPerBatch: 150 } },
      { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    );
    expect(resolved.client.apiKey).toBe('sk-explicit-key-123456');
    expect(resolved.client.baseURL).toBe('http://localhost:1/v1');
    expect(resolved.limits.maxRequestsPerBatch).toBe(150);
    expect(resolved.limits.maxBytesPerFile).toBe(openAIBatchLimits.maxBytesPerFile);
  });

  it('says plainly when there is no key', () => {
    expect(() => resolveOpenAIBackendSettings({}, {})).toThrow(/no API key/);
  });

  it('names the invalid settings without repeating their values', () => {
    let error: unknown;
    try {
      resolveOpenAIBackendSettings({ apiKey, baseURL: 'not a url', limits: { maxRequestsPerBatch: 0 } } as never, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BatchSettingsError);
    const message = (error as Error).message;
    expect(message).toContain('baseURL');
    expect(message).toContain('limits.maxRequestsPerBatch');
    expect(message).not.toContain(apiKey);
    expect(() => resolveOpenAIBackendSettings({ apiKey: 42 } as never, {})).toThrow(BatchSettingsError);
    expect(() => resolveOpenAIBackendSettings({ apiKey, typo: true } as never, {})).toThrow(/typo/);
  });

  it('takes a ready client but refuses it mixed with connection settings', () => {
    const client = new OpenAI({ apiKey, baseURL: 'http://127.0.0.1:9/v1' });
    expect(resolveOpenAIBackendSettings({ client }, {}).client).toBe(client);
    expect(resolveOpenAIBackendSettings({ client }, {}).apiKey).toBe(apiKey);
    expect(() => resolveOpenAIBackendSettings({ client, baseURL: 'http://x.test/v1' }, {})).toThrow(/baseURL/);
    expect(() => resolveOpenAIBackendSettings({ client: {} } as never, {})).toThrow(/client/);
  });

  it('checks configured metadata against OpenAI limits', () => {
    expect(() => resolveOpenAIBackendSettings({ apiKey, metadata: { ['k'.repeat(65)]: 'v' } }, {})).toThrow(
      BatchMetadataError,
    );
  });
});

describe('buildBatchMetadata', () => {
  it('marks the batch as BatchBridge and merges configured and caller metadata, the caller winning', () => {
    expect(buildBatchMetadata({ team: 'a', env: 'prod' }, { env: 'test', bridge: 'b1' })).toEqual({
      created_by: 'batch-bridge',
      team: 'a',
      env: 'test',
      bridge: 'b1',
    });
  });

  it('enforces 16 pairs, 64-character keys and 512-character values', () => {
    const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, index) => [`k${index}`, 'v']));
    expect(Object.keys(buildBatchMetadata(undefined, fifteen))).toHaveLength(16);
    expect(() => buildBatchMetadata(undefined, { ...fifteen, one_more: 'v' })).toThrow(/at most 16/);
    expect(() => buildBatchMetadata(undefined, { ['k'.repeat(64)]: 'v'.repeat(512) })).not.toThrow();
    expect(() => buildBatchMetadata(undefined, { ['k'.repeat(65)]: 'v' })).toThrow(/64 characters/);
    expect(() => buildBatchMetadata(undefined, { k: 'v'.repeat(513) })).toThrow(/512 characters/);
    expect(() => buildBatchMetadata(undefined, { k: '👋'.repeat(256) })).not.toThrow();
    expect(() => buildBatchMetadata(undefined, { k: '👋'.repeat(257) })).toThrow(/512 characters/);
    expect(() => buildBatchMetadata(undefined, { k: 1 } as never)).toThrow(/must be a string/);
  });

  it('keeps the created_by marker', () => {
    expect(() => buildBatchMetadata(undefined, { created_by: 'someone-else' })).toThrow(/reserved/);
    expect(buildBatchMetadata(undefined, { created_by: 'batch-bridge' })).toEqual({ created_by: 'batch-bridge' });
  });
});

describe('redactSecrets', () => {
  it('removes the key, key-shaped strings and bearer tokens', () => {
    const text =
      `Incorrect API key provided: ${apiKey}. Also sk-proj-****abcd. ` +
      `headers: {"authorization":"Bearer ${apiKey}"} Authorization: Bearer other-token-123`;
    const redacted = redactSecrets(text, [apiKey]);
    expect(redacted).not.toContain(apiKey);
    expect(redacted).not.toContain('SECRET');
    expect(redacted).not.toContain('abcd');
    expect(redacted).not.toContain('other-token-123');
    expect(redacted).toContain('Incorrect API key provided');
  });
});

describe('callWithRetry', () => {
  it('retries 5xx, 429 and connection failures, then succeeds', async () => {
    const failures: unknown[] = [
      apiError(500, 'boom'),
      apiError(429, 'slow down', 'rate_limit_exceeded'),
      new APIConnectionError({ cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }) }),
    ];
    let calls = 0;
    const result = await callWithRetry('upload', { ...fastRetry, attempts: 4 }, [apiKey], async (attempt) => {
      calls += 1;
      expect(attempt).toBe(calls);
      if (failures.length > 0) throw failures.shift();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(4);
  });

  it('gives up after the configured attempts with a BatchApiError naming the operation, without the key', async () => {
    let calls = 0;
    const promise = callWithRetry('createBatch', fastRetry, [apiKey], async () => {
      calls += 1;
      throw apiError(503, `overloaded for ${apiKey}`);
    });
    const error = await promise.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ operation: 'createBatch', status: 503, retryable: true, attempts: 3 });
    expect((error as Error).message).toContain('"createBatch"');
    expect((error as Error).message).not.toContain(apiKey);
    expect((error as Error).cause).toBeUndefined();
    expect(calls).toBe(3);
  });

  it('does not retry a 4xx answer or an insufficient_quota 429', async () => {
    for (const failure of [apiError(400, 'bad'), apiError(429, 'pay up', 'insufficient_quota')]) {
      let calls = 0;
      const error = await callWithRetry('retrieveBatch', fastRetry, [], async () => {
        calls += 1;
        throw failure;
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ operation: 'retrieveBatch', retryable: false, attempts: 1 });
      expect(calls).toBe(1);
    }
  });

  it('reads Retry-After and network causes', () => {
    expect(describeApiFailure(apiError(429, 'x', null, { 'retry-after': '2' })).retryAfterMs).toBe(2000);
    expect(describeApiFailure(apiError(503, 'x', null, { 'retry-after-ms': '150' })).retryAfterMs).toBe(150);
    const cut = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(describeApiFailure(cut).retryable).toBe(true);
    expect(describeApiFailure(new RangeError('a bug')).retryable).toBe(false);
    expect(retryDelay(1, fastRetry, 2000)).toBe(5);
    expect(retryDelay(3, { attempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 })).toBeGreaterThanOrEqual(200);
  });
});
