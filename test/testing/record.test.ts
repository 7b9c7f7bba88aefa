import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, runBatch, submitBatch, testClient, waitForBatch } from './helpers.js';

describe('the record of what the emulator received', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator();
    client = testClient(emulator.baseURL);
  });
  afterAll(() => emulator.close());

  it('records batches with their parsed lines, files, calls by operation and synchronous calls', async () => {
    emulator.reset();
    const first = await runBatch(client, [chatLine('a', 'one'), chatLine('b', 'two')]);
    const second = await submitBatch(client, [chatLine('a', 'one again')]);
    await waitForBatch(client, second.id);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sync' }] });
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'sync' });
    await client.batches.list();

    const record = emulator.record();
    expect(record.batches).toHaveLength(2);
    expect(record.batches[0]).toEqual({
      batchId: first.id,
      inputFileId: first.input_file_id,
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      customIds: ['a', 'b'],
      lines: [chatLine('a', 'one'), chatLine('b', 'two')],
      createdAt: expect.any(Number),
    });
    expect(record.files.map((file) => [file.purpose, file.filename])).toEqual([
      ['batch', 'input.jsonl'],
      ['batch', 'input.jsonl'],
    ]);
    expect(record.files[0].bytes).toBeGreaterThan(0);
    expect(record.calls).toMatchObject({
      upload: 2,
      createBatch: 2,
      chatCompletions: 1,
      embeddings: 1,
      listBatches: 1,
    });
    expect(record.calls.retrieveBatch).toBeGreaterThanOrEqual(2);
    expect(record.syncCalls).toBe(2);
    expect(emulator.submittedCounts()).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
  });

  it('records the lines of a batch that fails validation, as submitted', async () => {
    emulator.reset();
    await runBatch(client, [chatLine('dup', 'x'), chatLine('dup', 'y'), '{broken']);
    expect(emulator.record().batches[0].customIds).toEqual(['dup', 'dup']);
    expect(emulator.submittedCounts().get('dup')).toBe(2);
  });

  it('hands out snapshots, and reset() forgets files, batches and the record', async () => {
    emulator.reset();
    const batch = await runBatch(client, [chatLine('snap', 'x')]);
    const snapshot = emulator.record();
    snapshot.batches.length = 0;
    expect(emulator.record().batches).toHaveLength(1);

    emulator.reset();
    expect(emulator.record()).toEqual({ batches: [], files: [], calls: {}, syncCalls: 0 });
    expect(emulator.submittedCounts().size).toBe(0);
    await expect(client.batches.retrieve(batch.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.files.retrieve(batch.input_file_id)).rejects.toMatchObject({ status: 404 });
    expect((await client.batches.list()).data).toEqual([]);
  });
});
