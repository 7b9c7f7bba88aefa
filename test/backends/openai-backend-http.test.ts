/**
 * The backend over a scripted fetch: situations the emulator cannot stage (a create that failed on the wire but took
 * effect, a download cut halfway, a server echoing the key back) and what reaches the wire (headers).
 */
import { describe, expect, it } from 'vitest';
import { createOpenAIBackend } from '../../src/backends/openai/index.js';
import { BatchApiError } from '../../src/backends/openai/errors.js';
import { chatRequest, fixtureText } from './support/fixtures.js';

const apiKey = 'sk-test-abcdefghijklmnop0123456789';

interface SeenCall {
  method: string;
  path: string;
  headers: Headers;
}

type Handler = (call: SeenCall, count: number) => Response | Promise<Response>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function batchObject(id: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    input_file_id: 'file-in-1',
    completion_window: '24h',
    status,
    output_file_id: null,
    error_file_id: null,
    created_at: 1743897554,
    request_counts: { total: 3, completed: 3, failed: 0 },
    metadata: { created_by: 'batch-bridge' },
    ...extra,
  };
}

/** A fetch that answers by "METHOD /path" and records every call. */
function scriptedFetch(handlers: Record<string, Handler>) {
  const calls: SeenCall[] = [];
  const counts = new Map<string, number>();
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    // The openai client probes a custom fetch with a data: URL to see whether it can send FormData.
    if (url.protocol === 'data:') return globalThis.fetch(url);
    const call = { method: init?.method ?? 'GET', path: url.pathname, headers: new Headers(init?.headers) };
    calls.push(call);
    const key = `${call.method} ${call.path}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    const handler = handlers[key];
    if (!handler) return json(404, { error: { message: `no route ${key}`, type: 'invalid_request_error' } });
    return handler(call, count);
  };
  return { fetch, calls, count: (key: string) => counts.get(key) ?? 0 };
}

const uploaded = () =>
  json(200, { id: 'file-in-1', object: 'file', bytes: 10, created_at: 1, filename: 'x.jsonl', purpose: 'batch' });

function backendWith(handlers: Record<string, Handler>) {
  const server = scriptedFetch(handlers);
  const backend = createOpenAIBackend({
    apiKey,
    baseURL: 'http://openai.test/v1',
    organization: 'org-test',
    project: 'proj-test',
    headers: { 'x-team': 'batch' },
    fetch: server.fetch,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { backend, server };
}

const group = () =>
  createOpenAIBackend({ apiKey: 'sk-unused-0000000000' }).plan([chatRequest('a'), chatRequest('b')])[0];

describe('OpenAI backend over HTTP', () => {
  it('sends the key, organization, project and custom headers, and never puts the key in an error', async () => {
    const { backend, server } = backendWith({
      'POST /v1/files': () =>
        json(401, {
          error: {
            message: `Incorrect API key provided: ${apiKey}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        }),
    });
    const error = await backend.submit(group()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ operation: 'upload', status: 401, retryable: false, code: 'invalid_api_key' });
    const exposed = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(exposed).not.toContain(apiKey);
    expect(exposed).not.toContain('0123456789');
    const [call] = server.calls;
    expect(call.path).toBe('/v1/files');
    expect(call.headers.get('authorization')).toBe(`Bearer ${apiKey}`);
    expect(call.headers.get('openai-organization')).toBe('org-test');
    expect(call.headers.get('openai-project')).toBe('proj-test');
    expect(call.headers.get('x-team')).toBe('batch');
    expect(server.count('POST /v1/files')).toBe(1);
  });

  it('uses the batch an earlier failed create made anyway instead of creating a second one', async () => {
    const { backend, server } = backendWith({
      'POST /v1/files': uploaded,
      'POST /v1/batches': () => json(502, { error: { message: 'bad gateway', type: 'server_error' } }),
      'GET /v1/batches': () =>
        json(200, { object: 'list', data: [batchObject('batch_made_anyway', 'validating')], has_more: false }),
    });
    const submitted = await backend.submit(group());
    expect(submitted).toMatchObject({ batchId: 'batch_made_anyway', inputFileId: 'file-in-1', customIds: ['a', 'b'] });
    expect(server.count('POST /v1/batches')).toBe(1);
    expect(server.count('GET /v1/batches')).toBe(1);
  });

  it('deletes the uploaded file when the batch cannot be created, and says so', async () => {
    const { backend, server } = backendWith({
      'POST /v1/files': uploaded,
      'POST /v1/batches': () => json(400, { error: { message: 'Invalid endpoint', type: 'invalid_request_error' } }),
      'DELETE /v1/files/file-in-1': () => json(200, { id: 'file-in-1', object: 'file', deleted: true }),
    });
    const error = await backend.submit(group()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ operation: 'createBatch', status: 400, retryable: false });
    expect((error as Error).message).toContain('file-in-1 was deleted');
    expect(server.count('DELETE /v1/files/file-in-1')).toBe(1);
  });

  it('reads a whole file again when its download is cut halfway', async () => {
    const content = fixtureText('output-completed.jsonl');
    const { backend, server } = backendWith({
      'GET /v1/batches/batch_1': () => json(200, batchObject('batch_1', 'completed', { output_file_id: 'file-out-1' })),
      'GET /v1/files/file-out-1/content': (_call, count) => {
        const half = content.slice(0, Math.floor(content.length / 2));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(count === 1 ? half : content));
            if (count === 1) controller.error(new TypeError('terminated', { cause: { code: 'UND_ERR_SOCKET' } }));
            else controller.close();
          },
        });
        return new Response(stream, { status: 200 });
      },
    });
    const poll = await backend.poll({ batchId: 'batch_1', customIds: ['request-1', 'request-2', 'request-3'] });
    expect(poll.outcomes?.map((outcome) => outcome.type)).toEqual(['success', 'success', 'success']);
    expect(poll.duplicateLines).toBe(0);
    expect(server.count('GET /v1/files/file-out-1/content')).toBe(2);
  });

  it('treats cancelling a batch that is already over as done', async () => {
    const { backend } = backendWith({
      'POST /v1/batches/batch_1/cancel': () =>
        json(400, {
          error: { message: 'Cannot cancel a batch with status completed.', type: 'invalid_request_error' },
        }),
      'GET /v1/batches/batch_1': () => json(200, batchObject('batch_1', 'completed')),
    });
    await expect(backend.cancel('batch_1')).resolves.toBeUndefined();
  });

  it('reports a cancel refused for a batch that is still running', async () => {
    const { backend } = backendWith({
      'POST /v1/batches/batch_1/cancel': () =>
        json(403, { error: { message: 'Forbidden', type: 'invalid_request_error' } }),
      'GET /v1/batches/batch_1': () => json(200, batchObject('batch_1', 'in_progress')),
    });
    await expect(backend.cancel('batch_1')).rejects.toMatchObject({ operation: 'cancelBatch', status: 403 });
  });
});
