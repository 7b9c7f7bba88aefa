import OpenAI, { AuthenticationError, BadRequestError, NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, readJsonl, submitBatch, testClient, toJsonl, waitForBatch } from './helpers.js';

describe('the official openai client works unchanged against the emulator', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator({ apiKey: 'sk-client' });
    client = testClient(emulator.baseURL, 'sk-client');
  });
  afterAll(() => emulator.close());

  it('baseURL ends in /v1 on 127.0.0.1 and a free port', () => {
    expect(emulator.baseURL).toBe(`http://127.0.0.1:${emulator.port}/v1`);
    expect(emulator.port).toBeGreaterThan(0);
  });

  it('files: create with toFile, list with pagination, retrieve, content, delete', async () => {
    const content = toJsonl([chatLine('one', 'hello')]);
    const created = await client.files.create({
      file: await toFile(Buffer.from(content), 'requests.jsonl'),
      purpose: 'batch',
      expires_after: { anchor: 'created_at', seconds: 7200 },
    });
    expect(created).toMatchObject({
      object: 'file',
      purpose: 'batch',
      filename: 'requests.jsonl',
      bytes: Buffer.byteLength(content),
    });
    expect(created.expires_at! - created.created_at).toBe(7200);
    const second = await client.files.create({
      file: await toFile(Buffer.from('{}'), 'notes.json'),
      purpose: 'user_data',
    });
    expect(second.expires_at).toBeUndefined();

    const firstPage = await client.files.list({ limit: 1 });
    expect(firstPage.data.map((file) => file.id)).toEqual([second.id]);
    expect(firstPage.has_more).toBe(true);
    const all: string[] = [];
    for await (const file of client.files.list({ limit: 1 })) all.push(file.id);
    expect(all).toEqual([second.id, created.id]);
    expect((await client.files.list({ purpose: 'batch' })).data.map((file) => file.id)).toEqual([created.id]);

    expect(await client.files.retrieve(created.id)).toEqual(created);
    expect(await (await client.files.content(created.id)).text()).toBe(content);
    expect(await client.files.delete(second.id)).toEqual({ id: second.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(second.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('batches: create, retrieve, cancel and list with pagination, newest first', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1)
      ids.push((await submitBatch(client, [chatLine(`page-${index}`, 'hi')])).id);
    const newestFirst = [...ids].reverse();

    const firstPage = await client.batches.list({ limit: 2 });
    expect(firstPage.data.map((batch) => batch.id)).toEqual(newestFirst.slice(0, 2));
    expect(firstPage.has_more).toBe(true);
    const listed: string[] = [];
    for await (const batch of client.batches.list({ limit: 2 })) listed.push(batch.id);
    expect(listed).toEqual(newestFirst);

    const raw = await fetch(`${emulator.baseURL}/batches?limit=2&after=${newestFirst[1]}`, {
      headers: { authorization: 'Bearer sk-client' },
    });
    const page = await raw.json();
    expect(page).toMatchObject({ object: 'list', first_id: newestFirst[2], last_id: newestFirst[3], has_more: true });

    const done = await waitForBatch(client, ids[0]);
    expect(done.status).toBe('completed');
    expect(await client.batches.retrieve(ids[0])).toMatchObject({ id: ids[0], status: 'completed' });
    await expect(client.batches.cancel(ids[0])).rejects.toBeInstanceOf(BadRequestError);

    emulator.setTimings({ validatingMs: 60_000 });
    const waiting = await submitBatch(client, [chatLine('cancel-me', 'hi')]);
    const cancelling = await client.batches.cancel(waiting.id);
    emulator.setTimings({ validatingMs: 20 });
    expect(cancelling.status).toBe('cancelling');
    expect((await waitForBatch(client, waiting.id)).status).toBe('cancelled');
  });

  it('batch results read back through files.content', async () => {
    const batch = await submitBatch(client, [chatLine('x', 'results please')]);
    const done = await waitForBatch(client, batch.id);
    const [line] = await readJsonl(client, done.output_file_id!);
    expect(line).toMatchObject({ custom_id: 'x', error: null, response: { status_code: 200 } });
    expect(line.response.body.choices[0].message.content).toBe('Echo: results please');
  });

  it('chat.completions.create, responses.create and embeddings.create', async () => {
    const chat = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Good morning' }],
    });
    expect(chat.choices[0].message.content).toBe('Echo: Good morning');
    expect(chat.usage?.prompt_tokens_details?.cached_tokens).toBe(0);

    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Good evening' });
    expect(response.output_text).toBe('Echo: Good evening');
    expect(response.id).toMatch(/^resp_/);

    // The client asks for base64 unless told otherwise, and decodes it to floats.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(decoded.data).toHaveLength(2);
    expect(decoded.data[0].embedding).toHaveLength(1536);
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'alpha',
      encoding_format: 'float',
    });
    floats.data[0].embedding.forEach((value, index) => expect(decoded.data[0].embedding[index]).toBeCloseTo(value, 6));
  });

  it('answers errors the client maps to its error classes', async () => {
    await expect(client.batches.retrieve('batch_none')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      client.batches.create({ input_file_id: 'file-none', endpoint: '/v1/chat/completions', completion_window: '24h' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    const wrongKey = new OpenAI({ baseURL: emulator.baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
    const failure = await wrongKey.files.list().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect((failure as AuthenticationError).code).toBe('invalid_api_key');
  });
});
