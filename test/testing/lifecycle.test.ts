import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import {
  chatLine,
  readJsonl,
  runBatch,
  submitBatch,
  terminalStatuses,
  testClient,
  uploadBatchFile,
  waitForBatch,
  waitUntil,
} from './helpers.js';

const lines = (count: number, prefix = 'line') =>
  Array.from({ length: count }, (_, index) => chatLine(`${prefix}-${index}`, `question ${index}`));

describe('batch lifecycle', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;
  let sameSeed: RunningEmulator;
  let twin: RunningEmulator;
  let otherSeed: RunningEmulator;
  let custom: RunningEmulator;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator({ seed: 7 });
    client = testClient(emulator.baseURL);
    sameSeed = await startOpenAIBatchEmulator({ seed: 7 });
    twin = await startOpenAIBatchEmulator({ seed: 7 });
    otherSeed = await startOpenAIBatchEmulator({ seed: 8 });
    custom = await startOpenAIBatchEmulator({
      // The direct call below names a made-up model; the emulator refuses unknown ones unless allowed.
      allowModels: ['m'],
      responder: ({ url, body }) => ({ statusCode: 200, body: { custom: true, url, model: body.model } }),
    });
  });
  afterAll(async () => {
    await Promise.all([emulator, sameSeed, twin, otherSeed, custom].map((running) => running.close()));
  });

  it('moves validating → in_progress → finalizing → completed with timestamps and growing request counts', async () => {
    // Long validating and finalizing phases are released by hand, so every status is seen however loaded the machine.
    emulator.setTimings({ validatingMs: 60_000, inProgressMs: 1000, finalizingMs: 60_000 });
    const created = await submitBatch(client, lines(20));
    expect(created).toMatchObject({
      status: 'validating',
      request_counts: { total: 0, completed: 0, failed: 0 },
      output_file_id: null,
    });
    const observed: Array<{ status: string; completed: number; total: number }> = [];
    const observeUntil = (statuses: string[]) =>
      waitUntil(async () => {
        const batch = await client.batches.retrieve(created.id);
        observed.push({
          status: batch.status,
          completed: batch.request_counts!.completed,
          total: batch.request_counts!.total,
        });
        return statuses.includes(batch.status) ? batch : undefined;
      });
    await observeUntil(['validating']);
    emulator.setTimings({ validatingMs: 0 });
    await observeUntil(['finalizing']);
    emulator.setTimings({ finalizingMs: 0 });
    const done = await observeUntil(terminalStatuses);
    emulator.setTimings({ validatingMs: 20, inProgressMs: 50, finalizingMs: 20 });

    const statuses = observed.map((entry) => entry.status).filter((status, index, all) => status !== all[index - 1]);
    expect(statuses).toEqual(['validating', 'in_progress', 'finalizing', 'completed']);
    const completedCounts = observed.map((entry) => entry.completed);
    expect(completedCounts).toEqual([...completedCounts].sort((left, right) => left - right));
    expect(
      observed.some((entry) => entry.status === 'in_progress' && entry.completed > 0 && entry.completed < 20),
    ).toBe(true);
    expect(observed.filter((entry) => entry.status !== 'validating').every((entry) => entry.total === 20)).toBe(true);

    expect(done.request_counts).toEqual({ total: 20, completed: 20, failed: 0 });
    expect(done.model).toBe('gpt-4o-mini');
    expect(done.expires_at).toBe(done.created_at + 24 * 3600);
    const order = [done.created_at, done.in_progress_at!, done.finalizing_at!, done.completed_at!];
    expect(order).toEqual([...order].sort((left, right) => left - right));
    expect([done.failed_at, done.expired_at, done.cancelling_at, done.cancelled_at]).toEqual([null, null, null, null]);
    expect(done.error_file_id).toBeNull();
    expect((await client.files.retrieve(done.output_file_id!)).purpose).toBe('batch_output');
  });

  it('writes every line once, in a shuffled order that the seed reproduces', async () => {
    const input = lines(30, 'shuffle');
    const orderOf = async (running: RunningEmulator) => {
      const runningClient = testClient(running.baseURL);
      const batch = await runBatch(runningClient, input);
      return (await readJsonl(runningClient, batch.output_file_id!)).map((line) => line.custom_id as string);
    };
    const first = await orderOf(sameSeed);
    const again = await orderOf(twin);
    sameSeed.reset();
    const afterReset = await orderOf(sameSeed);
    const other = await orderOf(otherSeed);
    const inputOrder = input.map((line) => line.custom_id);
    expect([...first].sort()).toEqual([...inputOrder].sort());
    expect(first).not.toEqual(inputOrder);
    expect(again).toEqual(first);
    expect(afterReset).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('writes OpenAI-shaped output lines', async () => {
    const batch = await runBatch(client, [chatLine('shape', 'How are lines shaped?')]);
    const [line] = await readJsonl(client, batch.output_file_id!);
    expect(line).toEqual({
      id: expect.stringMatching(/^batch_req_/),
      custom_id: 'shape',
      response: {
        status_code: 200,
        request_id: expect.stringMatching(/^req_/),
        body: expect.objectContaining({ object: 'chat.completion' }),
      },
      error: null,
    });
  });

  it('sends non-2xx lines to the error file and counts them as failed', async () => {
    const input = [
      ...lines(3, 'ok'),
      chatLine('bad-400', 'x [[fault:status=400]]'),
      chatLine('bad-500', 'y [[fault:status=500]]'),
    ];
    const batch = await runBatch(client, input);
    expect(batch.request_counts).toEqual({ total: 5, completed: 3, failed: 2 });
    const output = await readJsonl(client, batch.output_file_id!);
    const errors = await readJsonl(client, batch.error_file_id!);
    expect(output.map((line) => line.custom_id).sort()).toEqual(['ok-0', 'ok-1', 'ok-2']);
    expect(Object.fromEntries(errors.map((line) => [line.custom_id, line.response.status_code]))).toEqual({
      'bad-400': 400,
      'bad-500': 500,
    });
    expect(errors.every((line) => line.error === null && line.response.body.error.message)).toBe(true);
    expect((await client.files.retrieve(batch.error_file_id!)).purpose).toBe('batch_output');
  });

  it('completes with output_file_id null when every line failed', async () => {
    const batch = await runBatch(client, [
      chatLine('f1', 'a [[fault:status=429]]'),
      chatLine('f2', 'b [[fault:status=429]]'),
    ]);
    expect(batch.status).toBe('completed');
    expect(batch.output_file_id).toBeNull();
    expect(batch.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    expect((await readJsonl(client, batch.error_file_id!)).map((line) => line.response.status_code)).toEqual([
      429, 429,
    ]);
  });

  it('runs Responses and embeddings batches through the same responder', async () => {
    const responses = await runBatch(
      client,
      [{ custom_id: 'r', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'Tell me' } }],
      '/v1/responses',
    );
    const [responseLine] = await readJsonl(client, responses.output_file_id!);
    expect(responseLine.response.body).toMatchObject({
      object: 'response',
      status: 'completed',
      output: [{ type: 'message' }],
    });

    const embeddings = await runBatch(
      client,
      [
        {
          custom_id: 'e',
          method: 'POST',
          url: '/v1/embeddings',
          body: { model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 8 },
        },
      ],
      '/v1/embeddings',
    );
    const [embeddingLine] = await readJsonl(client, embeddings.output_file_id!);
    expect(embeddingLine.response.body.data.map((item: { embedding: number[] }) => item.embedding.length)).toEqual([
      8, 8,
    ]);
    expect(embeddings.usage).toMatchObject({ input_tokens: 2, total_tokens: 2 });
  });

  it('applies setTimings to batches already running', async () => {
    emulator.setTimings({ validatingMs: 60_000 });
    const batch = await submitBatch(client, lines(2, 'slow'));
    for (let poll = 0; poll < 5; poll += 1) expect((await client.batches.retrieve(batch.id)).status).toBe('validating');
    emulator.setTimings({ validatingMs: 20 });
    expect((await waitForBatch(client, batch.id)).status).toBe('completed');
  });

  it('cancels a running batch: done lines in the output, the rest batch_cancelled in the error file', async () => {
    emulator.setTimings({ inProgressMs: 2000 });
    const batch = await submitBatch(client, lines(10, 'cancel'));
    await waitUntil(async () => (await client.batches.retrieve(batch.id)).request_counts!.completed >= 3, {
      description: 'three lines done',
    });
    const cancelling = await client.batches.cancel(batch.id);
    emulator.setTimings({ inProgressMs: 50 });
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).toEqual(expect.any(Number));
    const cancelled = await waitForBatch(client, batch.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelled_at).toEqual(expect.any(Number));
    const output = await readJsonl(client, cancelled.output_file_id!);
    const errors = await readJsonl(client, cancelled.error_file_id!);
    expect(output.length).toBe(cancelled.request_counts!.completed);
    expect(output.length).toBeGreaterThanOrEqual(3);
    expect(output.length + errors.length).toBe(10);
    for (const line of errors) {
      expect(line).toMatchObject({ response: null, error: { code: 'batch_cancelled', message: expect.any(String) } });
    }
  });

  it('uses options.responder instead of the default responder', async () => {
    const customClient = testClient(custom.baseURL);
    const batch = await runBatch(customClient, [chatLine('c', 'anything')]);
    const [line] = await readJsonl(customClient, batch.output_file_id!);
    expect(line.response.body).toEqual({ custom: true, url: '/v1/chat/completions', model: 'gpt-4o-mini' });
    const direct = await customClient.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(direct).toMatchObject({ custom: true });
  });

  it('keeps the input file readable after its batch ran', async () => {
    const fileId = await uploadBatchFile(client, [chatLine('keep', 'x')]);
    const batch = await client.batches.create({
      input_file_id: fileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(batch.input_file_id).toBe(fileId);
    expect((await waitForBatch(client, batch.id)).status).toBe('completed');
    expect((await readJsonl(client, fileId))[0].custom_id).toBe('keep');
  });
});
