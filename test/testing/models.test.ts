import type OpenAI from 'openai';
import { NotFoundError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { knownOpenAIModels, startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, readJsonl, runBatch, testClient } from './helpers.js';

const modelNotFound = (model: string) => ({
  error: {
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_found',
  },
});

describe('model ids, as OpenAI knows them', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator();
    client = testClient(emulator.baseURL);
  });
  afterEach(() => emulator.setAllowModels([]));
  afterAll(() => emulator.close());

  it('answers each line naming an unknown model with a 404 model_not_found in the error file', async () => {
    const batch = await runBatch(client, [
      chatLine('typo-1', 'x', 'gpt-4o-mnii'),
      chatLine('typo-2', 'y', 'gpt-4o-mnii'),
    ]);
    expect(batch).toMatchObject({
      status: 'completed',
      output_file_id: null,
      request_counts: { total: 2, completed: 0, failed: 2 },
    });
    const lines = await readJsonl(client, batch.error_file_id!);
    expect(lines.map((line) => line.custom_id).sort()).toEqual(['typo-1', 'typo-2']);
    for (const line of lines) {
      expect(line.response).toMatchObject({ status_code: 404, body: modelNotFound('gpt-4o-mnii') });
      expect(line.error).toBeNull();
    }
  });

  it('refuses a synchronous call naming an unknown model the same way', async () => {
    const call = client.chat.completions.create({ model: 'gpt-4o-mnii', messages: [{ role: 'user', content: 'x' }] });
    await expect(call).rejects.toBeInstanceOf(NotFoundError);
    await expect(call).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      error: modelNotFound('gpt-4o-mnii').error,
    });
    const embedding = client.embeddings.create({ model: 'text-embedding-4', input: 'x' });
    await expect(embedding).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('knows current ids, dated snapshots and fine-tunes of them', async () => {
    for (const model of [
      'gpt-4o-mini',
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1-nano',
      'gpt-5',
      'o3',
      'o4-mini',
      'ft:gpt-4o-mini-2024-07-18:acme::abc123',
    ]) {
      const answer = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] });
      expect(answer.model).toBe(model);
    }
    for (const model of ['text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002']) {
      expect((await client.embeddings.create({ model, input: 'x' })).data).toHaveLength(1);
    }
    expect(knownOpenAIModels).toEqual(
      expect.arrayContaining(['gpt-4o', 'gpt-4.1', 'gpt-5-mini', 'o1', 'omni-moderation-latest']),
    );
  });

  it('accepts made-up ids given in allowModels, or any id with "any"', async () => {
    const line = chatLine('custom', 'x', 'my-local-model');
    expect((await runBatch(client, [line])).request_counts).toMatchObject({ failed: 1 });
    emulator.setAllowModels(['my-local-model']);
    expect((await runBatch(client, [line])).request_counts).toMatchObject({ completed: 1, failed: 0 });
    emulator.setAllowModels('any');
    const answer = await client.chat.completions.create({
      model: 'anything-at-all',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(answer.choices[0].message.content).toBe('Echo: x');

    const allowing = await startOpenAIBatchEmulator({ allowModels: ['my-local-model'] });
    try {
      const allowingClient = testClient(allowing.baseURL);
      expect((await runBatch(allowingClient, [line])).request_counts).toMatchObject({ completed: 1 });
      expect((await runBatch(allowingClient, [chatLine('still', 'x', 'gpt-4o')])).request_counts).toMatchObject({
        completed: 1,
      });
    } finally {
      await allowing.close();
    }
  });
});
