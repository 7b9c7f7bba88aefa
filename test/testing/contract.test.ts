import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, terminalStatuses, toJsonl, waitUntil } from './helpers.js';
import {
  loadReferenceValidators,
  missingReferenceFiles,
  referenceAvailable,
  referenceDirectory,
  type ReferenceValidators,
} from './reference-schemas.js';

// CI must check the contract: there a missing reference folder is a failure, not a quiet skip. A developer without
// the folder gets a skipped test whose note says why.
const inCI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

describe('the reference OpenAPI files the contract tests read', () => {
  it('are present (required when CI is set)', (context) => {
    if (referenceAvailable) return;
    const reason = `${missingReferenceFiles.join(', ')} missing from ${referenceDirectory}`;
    if (inCI) throw new Error(`The OpenAPI contract tests cannot run under CI: ${reason}.`);
    console.warn(`Skipping the OpenAPI contract tests: ${reason}.`);
    context.skip(`the OpenAPI contract tests: ${reason}`);
  });
});

/** Raw HTTP (no client library in between) so that the bodies checked are exactly what the emulator sends. */
describe.runIf(referenceAvailable)('every endpoint answers bodies valid against the reference OpenAPI schemas', () => {
  let emulator: RunningEmulator;
  let reference: ReferenceValidators;
  const headers = { authorization: 'Bearer sk-contract' };

  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any; text: string }> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof FormData) init.body = body;
    else if (typeof body === 'string') {
      init.body = body;
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(`${emulator.baseURL}${path}`, init);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  };

  const upload = (content: string, purpose = 'batch', filename = 'input.jsonl', extra: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('file', new Blob([content]), filename);
    form.set('purpose', purpose);
    for (const [key, value] of Object.entries(extra)) form.set(key, value);
    return call('POST', '/files', form);
  };

  const expectError = (result: { status: number; body: unknown }, status: number) => {
    expect(result.status).toBe(status);
    expect(reference.schema('ErrorResponse', result.body)).toEqual([]);
  };

  const waitForTerminal = (batchId: string, seen: Set<string>) =>
    waitUntil(async () => {
      const result = await call('GET', `/batches/${batchId}`);
      expect(reference.operation('retrieveBatch', result.body)).toEqual([]);
      seen.add(result.body.status);
      return terminalStatuses.includes(result.body.status) ? result.body : undefined;
    });

  beforeAll(async () => {
    reference = loadReferenceValidators();
    emulator = await startOpenAIBatchEmulator({ apiKey: 'sk-contract' });
  });
  afterAll(() => emulator.close());

  it('files: upload, list, retrieve, content, delete, and their errors', async () => {
    const created = await upload(toJsonl([chatLine('a', 'hi')]), 'batch', 'input.jsonl', {
      'expires_after[anchor]': 'created_at',
      'expires_after[seconds]': '3600',
    });
    expect(created.status).toBe(200);
    expect(reference.operation('createFile', created.body)).toEqual([]);
    expect(created.body.expires_at - created.body.created_at).toBe(3600);
    const other = await upload('plain text', 'user_data', 'notes.txt');
    expect(reference.operation('createFile', other.body)).toEqual([]);

    const listed = await call('GET', '/files');
    expect(listed.status).toBe(200);
    expect(reference.operation('listFiles', listed.body)).toEqual([]);
    const filtered = await call('GET', '/files?purpose=user_data&order=asc&limit=1');
    expect(reference.operation('listFiles', filtered.body)).toEqual([]);
    expect(filtered.body.data.map((file: { id: string }) => file.id)).toEqual([other.body.id]);

    const retrieved = await call('GET', `/files/${created.body.id}`);
    expect(reference.operation('retrieveFile', retrieved.body)).toEqual([]);
    const content = await call('GET', `/files/${created.body.id}/content`);
    expect(content.status).toBe(200);
    expect(content.text).toBe(toJsonl([chatLine('a', 'hi')]));

    const deleted = await call('DELETE', `/files/${other.body.id}`);
    expect(reference.operation('deleteFile', deleted.body)).toEqual([]);
    expect(deleted.body).toEqual({ id: other.body.id, object: 'file', deleted: true });

    expectError(await call('GET', `/files/${other.body.id}`), 404);
    expectError(await call('GET', `/files/${other.body.id}/content`), 404);
    expectError(await call('DELETE', `/files/${other.body.id}`), 404);
    expectError(await upload('x', 'not-a-purpose'), 400);
    expectError(await upload('x', 'batch', 'input.csv'), 400);
    expectError(
      await upload('x', 'batch', 'input.jsonl', {
        'expires_after[anchor]': 'created_at',
        'expires_after[seconds]': '60',
      }),
      400,
    );
    expectError(await call('POST', '/files', new FormData()), 400);
    expectError(await call('GET', '/files?limit=0'), 400);
  });

  it('batches: create, every status while running, list, cancel, and their errors', async () => {
    const input = await upload(toJsonl([chatLine('a', 'one'), chatLine('b', 'two [[fault:status=400]]')]));
    const created = await call('POST', '/batches', {
      input_file_id: input.body.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'contract' },
    });
    expect(created.status).toBe(200);
    expect(reference.operation('createBatch', created.body)).toEqual([]);
    const seen = new Set<string>([created.body.status]);
    const done = await waitForTerminal(created.body.id, seen);
    expect(done.status).toBe('completed');
    expect([...seen]).toContain('validating');

    const output = (await call('GET', `/files/${done.output_file_id}/content`)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const line of output) expect(reference.schema('CreateChatCompletionResponse', line.response.body)).toEqual([]);
    const errors = (await call('GET', `/files/${done.error_file_id}/content`)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const line of errors) expect(reference.schema('ErrorResponse', line.response.body)).toEqual([]);

    const failedInput = await upload(toJsonl(['{not json']));
    const failed = await call('POST', '/batches', {
      input_file_id: failedInput.body.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect((await waitForTerminal(failed.body.id, new Set())).status).toBe('failed');

    emulator.setTimings({ inProgressMs: 60_000 });
    const slow = await call('POST', '/batches', {
      input_file_id: input.body.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    const cancelling = await call('POST', `/batches/${slow.body.id}/cancel`);
    emulator.setTimings({ inProgressMs: 50 });
    expect(reference.operation('cancelBatch', cancelling.body)).toEqual([]);
    expect((await waitForTerminal(slow.body.id, new Set())).status).toBe('cancelled');

    const listed = await call('GET', '/batches?limit=2');
    expect(reference.operation('listBatches', listed.body)).toEqual([]);
    const next = await call('GET', `/batches?limit=2&after=${listed.body.last_id}`);
    expect(reference.operation('listBatches', next.body)).toEqual([]);

    expectError(await call('GET', '/batches/batch_missing'), 404);
    expectError(await call('POST', '/batches/batch_missing/cancel'), 404);
    expectError(await call('POST', `/batches/${created.body.id}/cancel`), 400);
    expectError(
      await call('POST', '/batches', {
        input_file_id: 'file-missing',
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      }),
      404,
    );
    expectError(
      await call('POST', '/batches', {
        input_file_id: input.body.id,
        endpoint: '/v1/nothing',
        completion_window: '24h',
      }),
      400,
    );
    expectError(
      await call('POST', '/batches', {
        input_file_id: input.body.id,
        endpoint: '/v1/chat/completions',
        completion_window: '1h',
      }),
      400,
    );
    expectError(await call('POST', '/batches', { endpoint: '/v1/chat/completions', completion_window: '24h' }), 400);
    expectError(await call('POST', '/batches', '{broken'), 400);
    expectError(await call('GET', '/batches?limit=101'), 400);
  });

  it('synchronous chat completions (text, tool call, structured output) and embeddings, and their errors', async () => {
    const messages = [{ role: 'user', content: 'Hello' }];
    const text = await call('POST', '/chat/completions', { model: 'gpt-4o-mini', messages });
    expect(reference.schema('CreateChatCompletionResponse', text.body)).toEqual([]);
    const tools = [
      {
        type: 'function',
        function: {
          name: 'lookup',
          parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
        },
      },
    ];
    const toolCall = await call('POST', '/chat/completions', { model: 'gpt-4o-mini', messages, tools });
    expect(reference.schema('CreateChatCompletionResponse', toolCall.body)).toEqual([]);
    const structured = await call('POST', '/chat/completions', {
      model: 'gpt-4o-mini',
      messages,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'x',
          strict: true,
          schema: {
            type: 'object',
            properties: { n: { type: 'integer' } },
            required: ['n'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(reference.schema('CreateChatCompletionResponse', structured.body)).toEqual([]);
    const embeddings = await call('POST', '/embeddings', {
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    expect(reference.schema('CreateEmbeddingResponse', embeddings.body)).toEqual([]);

    expectError(await call('POST', '/chat/completions', { model: 'gpt-4o-mini' }), 400);
    expectError(
      await call('POST', '/chat/completions', {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x [[fault:status=500]]' }],
      }),
      500,
    );
    expectError(await call('POST', '/responses', { input: 'no model' }), 400);
    expectError(await call('POST', '/embeddings', { model: 'text-embedding-3-small' }), 400);
  });

  it('authentication and unknown routes answer OpenAI error bodies', async () => {
    const missingKey = await fetch(`${emulator.baseURL}/files`);
    expect(missingKey.status).toBe(401);
    expect(reference.schema('ErrorResponse', await missingKey.json())).toEqual([]);
    const wrongKey = await fetch(`${emulator.baseURL}/files`, { headers: { authorization: 'Bearer sk-wrong' } });
    expect(wrongKey.status).toBe(401);
    expect(reference.schema('ErrorResponse', await wrongKey.json())).toEqual([]);
    const unknown = await call('GET', '/models/gpt-4o');
    expectError(unknown, 404);
    expect(unknown.body.error.message).toBe('Invalid URL (GET /v1/models/gpt-4o)');
  });
});
