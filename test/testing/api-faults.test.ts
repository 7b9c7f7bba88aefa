import OpenAI, { APIConnectionTimeoutError, RateLimitError, toFile } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import {
  chatLine,
  readJsonl,
  runBatch,
  testClient,
  toJsonl,
  uploadBatchFile,
  waitForBatch,
  waitUntil,
} from './helpers.js';

const quotaBody = {
  message:
    'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  type: 'insufficient_quota',
  param: null,
  code: 'insufficient_quota',
};

const fileOf = async (lines: unknown[]) => toFile(Buffer.from(toJsonl(lines)), 'input.jsonl');

describe('API faults: quota, creation rate limit, slow answers', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator({ httpFaults: { insufficientQuota: ['upload'] } });
    client = testClient(emulator.baseURL);
  });
  afterEach(() => {
    emulator.setHttpFaults({});
    emulator.reset();
  });
  afterAll(() => emulator.close());

  const create = (inputFileId: string) =>
    client.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h' });

  describe('insufficient_quota', () => {
    it('refuses the chosen operations with 429 and OpenAI body until changed, from the options and setHttpFaults', async () => {
      const upload = async () => client.files.create({ file: await fileOf([chatLine('q', 'x')]), purpose: 'batch' });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const refused = await upload().catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(RateLimitError);
        expect(refused).toMatchObject({
          status: 429,
          code: 'insufficient_quota',
          type: 'insufficient_quota',
          error: quotaBody,
        });
      }
      expect(emulator.record().files).toHaveLength(0);
      expect(emulator.record().calls.upload).toBe(2);

      emulator.setHttpFaults({ insufficientQuota: ['createBatch'] });
      const file = await upload();
      await expect(create(file.id)).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
      expect(emulator.record().batches).toHaveLength(0);

      emulator.setHttpFaults({ insufficientQuota: 'all' });
      await expect(client.batches.list()).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
      await expect(
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({
        status: 429,
        error: quotaBody,
      });
      emulator.setHttpFaults({});
      expect((await create(file.id)).status).toBe('validating');
    });

    it('refuses per request: the upload or the creation of a file holding the marker, a line, a synchronous call', async () => {
      const markedUpload = await client.files
        .create({
          file: await fileOf([chatLine('u', 'x [[fault:upload=insufficient_quota,times=1]]')]),
          purpose: 'batch',
        })
        .catch((error: unknown) => error);
      expect(markedUpload).toMatchObject({ status: 429, error: quotaBody });

      const fileId = await uploadBatchFile(client, [chatLine('c', 'x [[fault:create=insufficient_quota,times=1]]')]);
      await expect(create(fileId)).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
      expect((await waitForBatch(client, (await create(fileId)).id)).status).toBe('completed');

      const batch = await runBatch(client, [
        chatLine('line', 'x [[fault:status=429,code=insufficient_quota]]'),
        chatLine('fine', 'y'),
      ]);
      expect(batch.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
      const [line] = await readJsonl(client, batch.error_file_id!);
      expect(line).toMatchObject({
        custom_id: 'line',
        response: { status_code: 429, body: { error: quotaBody } },
        error: null,
      });

      const sync = client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: '[[fault:status=429,code=insufficient_quota]]' }],
      });
      await expect(sync).rejects.toMatchObject({ status: 429, error: quotaBody });
    });
  });

  describe('batch creation rate limit', () => {
    it('answers 429 rate_limit_exceeded with retry-after for the next N creations, then creates', async () => {
      const fileId = await uploadBatchFile(client, [chatLine('r', 'x')]);
      emulator.setHttpFaults({ createRateLimit: { times: 2, retryAfterSeconds: 7 } });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const refused = await create(fileId).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(RateLimitError);
        expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
        expect((refused as RateLimitError).headers.get('retry-after')).toBe('7');
        expect((refused as RateLimitError).headers.get('retry-after-ms')).toBeNull();
      }
      expect((await create(fileId)).status).toBe('validating');
      expect(emulator.record().calls.createBatch).toBe(3);
      expect(emulator.record().batches).toHaveLength(1);

      emulator.setHttpFaults({ createRateLimit: { times: 1, retryAfterMs: 1500 } });
      const refused = (await create(fileId).catch((error: unknown) => error)) as RateLimitError;
      expect([refused.headers.get('retry-after'), refused.headers.get('retry-after-ms')]).toEqual(['2', '1500']);
    });

    it('is honoured by a client that retries: the openai client waits retry-after-ms and succeeds', async () => {
      const fileId = await uploadBatchFile(client, [chatLine('r', 'x')]);
      emulator.setHttpFaults({ createRateLimit: { times: 1, retryAfterMs: 30 } });
      const retrying = new OpenAI({ baseURL: emulator.baseURL, apiKey: 'sk-test', maxRetries: 1 });
      const before = emulator.record().calls.createBatch ?? 0;
      expect(
        (
          await retrying.batches.create({
            input_file_id: fileId,
            endpoint: '/v1/chat/completions',
            completion_window: '24h',
          })
        ).id,
      ).toMatch(/^batch_/);
      expect(emulator.record().calls.createBatch).toBe(before + 2);
    });

    it('limits per request with a marker, retry_after in seconds or milliseconds', async () => {
      const fileId = await uploadBatchFile(client, [
        chatLine('m', 'x [[fault:create=rate_limit,retry_after=3,times=1]]'),
      ]);
      const refused = (await create(fileId).catch((error: unknown) => error)) as RateLimitError;
      expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
      expect(refused.headers.get('retry-after')).toBe('3');
      expect((await create(fileId)).status).toBe('validating');

      const msFile = await uploadBatchFile(client, [
        chatLine('n', 'x [[fault:create=rate_limit,retry_after_ms=250,times=1]]'),
      ]);
      const inMs = (await create(msFile).catch((error: unknown) => error)) as RateLimitError;
      expect([inMs.headers.get('retry-after'), inMs.headers.get('retry-after-ms')]).toEqual(['1', '250']);
    });
  });

  describe('slow answers', () => {
    const impatient = () => new OpenAI({ baseURL: emulator.baseURL, apiKey: 'sk-test', maxRetries: 0, timeout: 100 });
    // For calls that must succeed: a GC pause or a loaded machine can hold up an answer past 100 ms. Its timeout is
    // still shorter than the faults' 10 s delays, so a delay that was not cleared (or used up) fails it.
    const patient = () => new OpenAI({ baseURL: emulator.baseURL, apiKey: 'sk-test', maxRetries: 0, timeout: 5_000 });

    it('delays every call of an operation so that a client with a short timeout times out; the work is still done', async () => {
      const fileId = await uploadBatchFile(client, [chatLine('s', 'x')]);
      emulator.setHttpFaults({ delayMs: { createBatch: 10_000 } });
      const timedOut = impatient().batches.create({
        input_file_id: fileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      await expect(timedOut).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      // The batch was created although its answer never arrived: a blind retry would make a second one.
      expect(emulator.record().batches.map((batch) => batch.inputFileId)).toContain(fileId);

      emulator.setHttpFaults({ delayMs: { retrieveBatch: 10_000, fileContent: 10_000, upload: 10_000 } });
      const [batch] = (await client.batches.list()).data;
      await expect(impatient().batches.retrieve(batch.id)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      await expect(impatient().files.content(fileId)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      await expect(
        impatient().files.create({ file: await fileOf([chatLine('t', 'x')]), purpose: 'batch' }),
      ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      emulator.setHttpFaults({});
      expect((await patient().batches.retrieve(batch.id)).id).toBe(batch.id);
    });

    it('delays per request with a marker: the upload, the creation, a synchronous call', async () => {
      const uploadMarked = impatient().files.create({
        file: await fileOf([chatLine('u', '[[fault:upload=slow,ms=1000]]')]),
        purpose: 'batch',
      });
      await expect(uploadMarked).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      await waitUntil(() => emulator.record().files.length > 0, { description: 'the slow upload to be stored' });

      const fileId = await uploadBatchFile(client, [chatLine('c', '[[fault:create=slow,ms=10000,times=1]]')]);
      const creation = impatient().batches.create({
        input_file_id: fileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
      await expect(creation).rejects.toBeInstanceOf(APIConnectionTimeoutError);
      expect(
        (
          await patient().batches.create({
            input_file_id: fileId,
            endpoint: '/v1/chat/completions',
            completion_window: '24h',
          })
        ).id,
      ).toMatch(/^batch_/);

      const sync = impatient().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: '[[fault:sync=slow,ms=1000]]' }],
      });
      await expect(sync).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    });
  });
});
