import type OpenAI from 'openai';
import { BadRequestError, NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, runBatch, testClient, toJsonl, uploadBatchFile, waitForBatch } from './helpers.js';

const embeddingLine = (customId: string, input: string | string[]) => ({
  custom_id: customId,
  method: 'POST',
  url: '/v1/embeddings',
  body: { model: 'text-embedding-3-small', input },
});

describe('input validation, as the Batch API does it', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;
  let limited: RunningEmulator;
  let limitedClient: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator();
    client = testClient(emulator.baseURL);
    limited = await startOpenAIBatchEmulator({
      limits: { maxRequestsPerBatch: 3, maxBytesPerFile: 600, maxEmbeddingInputsPerBatch: 4 },
    });
    limitedClient = testClient(limited.baseURL);
  });
  afterAll(async () => {
    await emulator.close();
    await limited.close();
  });

  const failureOf = async (lines: unknown[], runningClient = client, endpoint?: '/v1/embeddings') => {
    const batch = await runBatch(runningClient, lines, endpoint);
    expect(batch.status).toBe('failed');
    expect(batch.failed_at).toEqual(expect.any(Number));
    expect(batch.in_progress_at).toBeNull();
    expect(batch.errors?.object).toBe('list');
    return batch.errors!.data!;
  };

  it('fails a batch whose lines are not JSON, with the line number', async () => {
    expect(await failureOf([chatLine('a', 'x'), '{"custom_id": "b",', chatLine('c', 'y')])).toEqual([
      { code: 'invalid_json_line', message: expect.any(String), param: null, line: 2 },
    ]);
  });

  it('requires custom_id, method, url and body on every line', async () => {
    const { custom_id: _customId, ...withoutId } = chatLine('a', 'x');
    const { body: _body, ...withoutBody } = chatLine('b', 'x');
    const errors = await failureOf([withoutId, withoutBody]);
    expect(errors.map((error) => [error.code, error.param, error.line])).toEqual([
      ['missing_required_parameter', 'custom_id', 1],
      ['missing_required_parameter', 'body', 2],
    ]);
  });

  it('rejects duplicate custom ids, other methods, another endpoint and a second model', async () => {
    const errors = await failureOf([
      chatLine('same', 'x'),
      chatLine('same', 'y'),
      { ...chatLine('get', 'x'), method: 'GET' },
      { ...chatLine('url', 'x'), url: '/v1/responses' },
      chatLine('model', 'x', 'gpt-4o'),
      { ...chatLine('no-model', 'x'), body: { messages: [] } },
    ]);
    expect(errors.map((error) => [error.code, error.param, error.line])).toEqual([
      ['duplicate_custom_id', 'custom_id', 2],
      ['invalid_method', 'method', 3],
      ['invalid_url', 'url', 4],
      ['mismatched_model', 'body.model', 5],
      ['missing_required_parameter', 'body.model', 6],
    ]);
  });

  it('fails an empty file', async () => {
    expect((await failureOf([])).map((error) => error.code)).toEqual(['empty_file']);
  });

  it('enforces the request, byte and embedding-input limits (configurable)', async () => {
    expect(
      (
        await failureOf(
          [1, 2, 3, 4].map((index) => chatLine(`n${index}`, 'x')),
          limitedClient,
        )
      ).map((error) => error.code),
    ).toEqual(['too_many_requests_in_file']);
    expect((await failureOf([chatLine('big', 'x'.repeat(700))], limitedClient)).map((error) => error.code)).toEqual([
      'file_too_large',
    ]);
    const inputs = [embeddingLine('e1', ['a', 'b', 'c']), embeddingLine('e2', ['d', 'e'])];
    expect((await failureOf(inputs, limitedClient, '/v1/embeddings')).map((error) => error.code)).toEqual([
      'too_many_embedding_inputs',
    ]);
    const withinLimits = await runBatch(
      limitedClient,
      [embeddingLine('e1', ['a', 'b']), embeddingLine('e2', 'c')],
      '/v1/embeddings',
    );
    expect(withinLimits.status).toBe('completed');
  });

  it('answers 404 for an unknown input file and 400 for a wrong endpoint, window or purpose', async () => {
    const fileId = await uploadBatchFile(client, [chatLine('a', 'x')]);
    const create = (body: Record<string, unknown>) =>
      client.batches.create({
        input_file_id: fileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        ...body,
      } as never);
    await expect(create({ input_file_id: 'file-unknown' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(create({ endpoint: '/v1/completions' })).rejects.toMatchObject({ status: 400, param: 'endpoint' });
    await expect(create({ completion_window: '48h' })).rejects.toMatchObject({
      status: 400,
      param: 'completion_window',
    });
    await expect(
      create({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])) }),
    ).rejects.toBeInstanceOf(BadRequestError);
    const notBatch = await client.files.create({
      file: await toFile(Buffer.from(toJsonl([chatLine('a', 'x')])), 'x.jsonl'),
      purpose: 'user_data',
    });
    await expect(create({ input_file_id: notBatch.id })).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
  });

  it('validates asynchronously: a bad file is accepted, then fails after validating', async () => {
    const fileId = await uploadBatchFile(client, ['not json']);
    const created = await client.batches.create({
      input_file_id: fileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(created.status).toBe('validating');
    expect(created.errors).toBeNull();
    expect((await waitForBatch(client, created.id)).status).toBe('failed');
  });
});
