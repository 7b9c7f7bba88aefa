import type OpenAI from 'openai';
import { InternalServerError, NotFoundError, toFile } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, readJsonl, runBatch, submitBatch, testClient, waitForBatch } from './helpers.js';

const lines = (count: number, prefix: string, suffix = '') =>
  Array.from({ length: count }, (_, index) => chatLine(`${prefix}-${index}`, `question ${index}${suffix}`));

describe('fault injection', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator({ httpFaults: { upload: 1 } });
    client = testClient(emulator.baseURL);
  });
  afterEach(() => {
    emulator.setFaults({});
    emulator.setHttpFaults({});
    emulator.setTimings({ validatingMs: 20, inProgressMs: 50, finalizingMs: 20 });
  });
  afterAll(() => emulator.close());

  describe('HTTP faults', () => {
    it('answers 500 for the next N calls of an operation, from the options and from setHttpFaults', async () => {
      const file = async () => toFile(Buffer.from(`${JSON.stringify(chatLine('h', 'x'))}\n`), 'input.jsonl');
      await expect(client.files.create({ file: await file(), purpose: 'batch' })).rejects.toBeInstanceOf(
        InternalServerError,
      );
      const uploaded = await client.files.create({ file: await file(), purpose: 'batch' });

      emulator.setHttpFaults({ createBatch: 2, retrieveBatch: 1, fileContent: 1 });
      const create = () =>
        client.batches.create({
          input_file_id: uploaded.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
        });
      await expect(create()).rejects.toBeInstanceOf(InternalServerError);
      await expect(create()).rejects.toBeInstanceOf(InternalServerError);
      const batch = await create();
      await expect(client.batches.retrieve(batch.id)).rejects.toMatchObject({ status: 500, type: 'server_error' });
      const done = await waitForBatch(client, batch.id);
      await expect(client.files.content(done.output_file_id!)).rejects.toBeInstanceOf(InternalServerError);
      expect((await readJsonl(client, done.output_file_id!))[0].custom_id).toBe('h');
    });
  });

  describe('emulator-wide batch faults', () => {
    it('fails validation', async () => {
      emulator.setFaults({ failValidation: true });
      const batch = await runBatch(client, lines(2, 'validation'));
      expect(batch.status).toBe('failed');
      expect(batch.errors?.data?.[0]).toMatchObject({ code: 'invalid_request' });
    });

    it('fixes faults when the batch is created: flipping them later does not reach it', async () => {
      emulator.setFaults({ failValidation: true });
      const created = await submitBatch(client, lines(1, 'fixed'));
      emulator.setFaults({});
      expect((await waitForBatch(client, created.id)).status).toBe('failed');
      expect((await runBatch(client, lines(1, 'after'))).status).toBe('completed');
    });

    it('fails with token_limit_exceeded for the given number of batch creations', async () => {
      emulator.setFaults({ tokenLimitExceeded: { times: 1 } });
      const first = await runBatch(client, lines(1, 'tokens'));
      expect(first.status).toBe('failed');
      expect(first.errors?.data).toEqual([
        { code: 'token_limit_exceeded', message: expect.stringContaining('gpt-4o-mini'), param: null, line: null },
      ]);
      expect((await runBatch(client, lines(1, 'tokens'))).status).toBe('completed');
      emulator.setFaults({ tokenLimitExceeded: true });
      expect((await runBatch(client, lines(1, 'always'))).status).toBe('failed');
      expect((await runBatch(client, lines(1, 'always'))).status).toBe('failed');
    });

    it('expires with a fraction done: finished lines in the output, the rest batch_expired', async () => {
      emulator.setFaults({ expireAfterFraction: 0.5 });
      const batch = await runBatch(client, lines(10, 'expire'));
      expect(batch.status).toBe('expired');
      expect(batch.expired_at).toEqual(expect.any(Number));
      expect(batch.completed_at).toBeNull();
      expect(batch.request_counts).toEqual({ total: 10, completed: 5, failed: 0 });
      expect(await readJsonl(client, batch.output_file_id!)).toHaveLength(5);
      const errors = await readJsonl(client, batch.error_file_id!);
      expect(errors).toHaveLength(5);
      expect(errors.every((line) => line.response === null && line.error.code === 'batch_expired')).toBe(true);
    });

    it('cancels (as from the dashboard) with a fraction done', async () => {
      emulator.setFaults({ cancelAfterFraction: 0.3 });
      const created = await submitBatch(client, lines(10, 'dashboard'));
      const cancelling = await waitForBatch(client, created.id, ['cancelling', 'cancelled']);
      expect(cancelling.cancelling_at).toEqual(expect.any(Number));
      const batch = await waitForBatch(client, created.id);
      expect(batch.status).toBe('cancelled');
      expect(await readJsonl(client, batch.output_file_id!)).toHaveLength(3);
      const errors = await readJsonl(client, batch.error_file_id!);
      expect(errors.map((line) => line.error.code)).toEqual(Array(7).fill('batch_cancelled'));
    });

    it('completes with an output file that is missing', async () => {
      emulator.setFaults({ outputFileMissing: true });
      const batch = await runBatch(client, lines(2, 'missing'));
      expect(batch.status).toBe('completed');
      expect(batch.output_file_id).toEqual(expect.stringMatching(/^file-/));
      await expect(client.files.content(batch.output_file_id!)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('progresses slowly with long timings, and cancelBatch(id) cancels from outside', async () => {
      emulator.setTimings({ inProgressMs: 60_000 });
      const created = await submitBatch(client, lines(4, 'slow'));
      await waitForBatch(client, created.id, ['in_progress']);
      for (let poll = 0; poll < 5; poll += 1) {
        expect(await client.batches.retrieve(created.id)).toMatchObject({
          status: 'in_progress',
          request_counts: { completed: 0 },
        });
      }
      emulator.cancelBatch(created.id);
      expect((await client.batches.retrieve(created.id)).status).toBe('cancelling');
      const batch = await waitForBatch(client, created.id);
      expect(batch.status).toBe('cancelled');
      expect(batch.output_file_id).toBeNull();
      expect((await readJsonl(client, batch.error_file_id!)).map((line) => line.error.code)).toEqual(
        Array(4).fill('batch_cancelled'),
      );
      expect(() => emulator.cancelBatch('batch_unknown')).toThrow(/no batch/);
      emulator.cancelBatch(batch.id);
      expect((await client.batches.retrieve(batch.id)).status).toBe('cancelled');
    });
  });

  describe('per-request markers', () => {
    it('fails a line with the marked status; with times=1 the retried request succeeds', async () => {
      const request = chatLine('retry', 'please [[fault:status=429,times=1]]');
      const first = await runBatch(client, [request, chatLine('other', 'fine')]);
      const [failedLine] = await readJsonl(client, first.error_file_id!);
      expect(failedLine.response).toMatchObject({
        status_code: 429,
        body: { error: { code: 'rate_limit_exceeded', type: 'requests' } },
      });
      const retried = await runBatch(client, [request]);
      expect(retried.request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
      expect(emulator.submittedCounts().get('retry')).toBe(2);
    });

    it('counts times per marker text and once per batch', async () => {
      const batch = await runBatch(client, [
        chatLine('a1', 'x [[fault:status=500,times=1,id=a]]'),
        chatLine('a2', 'y [[fault:status=500,times=1,id=a]]'),
        chatLine('b1', 'z [[fault:status=400,times=1,id=b]]'),
      ]);
      expect(batch.request_counts).toMatchObject({ completed: 0, failed: 3 });
      const again = await runBatch(client, [
        chatLine('a1', 'x [[fault:status=500,times=1,id=a]]'),
        chatLine('c', 'w [[fault:status=400]]'),
      ]);
      expect(again.request_counts).toMatchObject({ completed: 1, failed: 1 });
    });

    it('finds markers in content parts, Responses input items and embedding inputs', async () => {
      const parts = {
        ...chatLine('parts', ''),
        body: {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'hi [[fault:status=400]]' }] }],
        },
      };
      expect((await runBatch(client, [parts])).request_counts).toMatchObject({ failed: 1 });
      const responses = {
        custom_id: 'responses',
        method: 'POST',
        url: '/v1/responses',
        body: {
          model: 'gpt-4o-mini',
          input: [{ role: 'user', content: [{ type: 'input_text', text: '[[fault:status=500]]' }] }],
        },
      };
      expect((await runBatch(client, [responses], '/v1/responses')).request_counts).toMatchObject({ failed: 1 });
      const embeddings = {
        custom_id: 'embeddings',
        method: 'POST',
        url: '/v1/embeddings',
        body: { model: 'text-embedding-3-small', input: ['fine', '[[fault:status=400]]'] },
      };
      expect((await runBatch(client, [embeddings], '/v1/embeddings')).request_counts).toMatchObject({ failed: 1 });
    });

    it('applies batch markers: fail_validation, token_limit_exceeded with times, expire, cancel, output_file_missing', async () => {
      expect(
        (await runBatch(client, [...lines(2, 'fv'), chatLine('m', '[[fault:batch=fail_validation]]')])).status,
      ).toBe('failed');

      const tokenLimited = [chatLine('t', 'big [[fault:batch=token_limit_exceeded,times=2]]')];
      const statuses = [];
      for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await runBatch(client, tokenLimited)).status);
      expect(statuses).toEqual(['failed', 'failed', 'completed']);

      const expired = await runBatch(client, [
        ...lines(3, 'ex'),
        chatLine('m', '[[fault:batch=expire,fraction=0.25]]'),
      ]);
      expect(expired).toMatchObject({ status: 'expired', request_counts: { total: 4, completed: 1 } });

      const cancelled = await runBatch(client, [...lines(3, 'ca'), chatLine('m', '[[fault:batch=cancel]]')]);
      expect(cancelled).toMatchObject({ status: 'cancelled', request_counts: { total: 4, completed: 2 } });

      const missing = await runBatch(client, [chatLine('m', '[[fault:batch=output_file_missing]]')]);
      await expect(client.files.retrieve(missing.output_file_id!)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('fails synchronous calls with the marked status too', async () => {
      const ask = () =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'now [[fault:status=500,times=1]]' }],
        });
      await expect(ask()).rejects.toBeInstanceOf(InternalServerError);
      expect((await ask()).choices[0].message.content).toContain('Echo: now');
      await expect(
        client.embeddings.create({
          model: 'text-embedding-3-small',
          input: '[[fault:status=429]]',
          encoding_format: 'float',
        }),
      ).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    });
  });

  it('stops every timer on close', async () => {
    let responderCalls = 0;
    const closing = await startOpenAIBatchEmulator({
      timings: { validatingMs: 10, inProgressMs: 10, finalizingMs: 10 },
      responder: () => {
        responderCalls += 1;
        return { statusCode: 200, body: {} };
      },
    });
    await submitBatch(testClient(closing.baseURL), lines(1, 'close'));
    await closing.close();
    // A batch on another emulator outlasting the closed one's whole lifecycle stands in for a sleep.
    expect((await runBatch(client, lines(1, 'witness'))).status).toBe('completed');
    expect(responderCalls).toBe(0);
  });
});
