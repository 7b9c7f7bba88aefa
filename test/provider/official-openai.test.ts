import { readFile } from 'node:fs/promises';
import { APICallError } from '@ai-sdk/provider';
import { generateText, jsonSchema, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import type { DeliveredOutcome } from '../../src/core/index.js';
import type { OpenAIProvider } from '@ai-sdk/openai';
import { OfficialOpenAI } from '../../src/provider/official-openai.js';
import { outcomeError } from '../../src/provider/outcome-error.js';
import { createBatchOpenAI } from '../../src/index.js';

const fixture = async (name: string) =>
  JSON.parse(await readFile(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

type Headers = Record<string, string>;

/** One call through a fresh official provider: capture its request. */
const captureRequest = <Model>(
  settings: ConstructorParameters<typeof OfficialOpenAI>[0],
  pick: (provider: OpenAIProvider) => Model,
  call: (model: Model, headers: Headers) => PromiseLike<unknown>,
) => {
  const official = new OfficialOpenAI(settings);
  const model = pick(official.provider);
  return official.capture((headers) => call(model, headers));
};

/** One call through a fresh official provider: parse a stored response body with it. */
const replayResponse = <Model, Result>(
  settings: ConstructorParameters<typeof OfficialOpenAI>[0],
  pick: (provider: OpenAIProvider) => Model,
  call: (model: Model, headers: Headers) => PromiseLike<Result>,
  body: unknown,
) => {
  const official = new OfficialOpenAI(settings);
  const model = pick(official.provider);
  return official.replay((headers) => call(model, headers), body);
};

const callOptions = {
  prompt: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'What is the capital of France?' }] }],
};

describe('capturing the request the official provider builds', () => {
  it('captures a chat request as its batch line url and body, without headers or key', async () => {
    const settings = { apiKey: 'sk-secret-do-not-keep', headers: { 'x-team': 'triage' } };
    const request = await captureRequest(
      settings,
      (provider) => provider.chat('gpt-4o-mini'),
      (model, headers) => model.doGenerate({ ...callOptions, headers }),
    );
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    });
    expect(JSON.stringify(request)).not.toContain('sk-secret');
    expect(JSON.stringify(request)).not.toContain('triage');
  });

  it('maps the Responses and embeddings endpoints, also behind a base URL with a path', async () => {
    const settings = { baseURL: 'https://proxy.example/openai/v1' };
    const responses = await captureRequest(
      settings,
      (provider) => provider.responses('gpt-4o-mini'),
      (model, headers) => model.doGenerate({ ...callOptions, headers }),
    );
    expect(responses.url).toBe('/v1/responses');
    expect(responses.body).toMatchObject({ model: 'gpt-4o-mini', input: [{ role: 'user' }] });
    const embedding = await captureRequest(
      settings,
      (provider) => provider.embedding('text-embedding-3-small'),
      (model, headers) => model.doEmbed({ values: ['a', 'b'], headers }),
    );
    expect(embedding).toEqual({
      url: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' },
    });
  });

  it('builds byte-identical bodies for identical calls (the digest survives re-execution)', async () => {
    const capture = () =>
      captureRequest(
        {},
        (provider) => provider.chat('gpt-4o-mini'),
        (model, headers) => model.doGenerate({ ...callOptions, headers }),
      );
    expect(JSON.stringify(await capture())).toBe(JSON.stringify(await capture()));
  });
});

describe('replaying a batch result through the official parser', () => {
  it('gives the text, usage with cached tokens, finish reason and response metadata of a chat completion', async () => {
    const body = await fixture('chat-completion-text');
    const result = await replayResponse(
      {},
      (provider) => provider.chat('gpt-4o-mini'),
      (model, headers) => model.doGenerate({ ...callOptions, headers }),
      body,
    );
    expect(result.content).toEqual([{ type: 'text', text: 'The capital of France is Paris.' }]);
    expect(result.finishReason).toMatchObject({ unified: 'stop' });
    expect(result.usage.inputTokens).toMatchObject({ total: 14, cacheRead: 4 });
    expect(result.usage.outputTokens).toMatchObject({ total: 8 });
    expect(result.response?.id).toBe(body.id);
    expect(result.response?.timestamp).toEqual(new Date(body.created * 1000));
  });

  it('gives the tool call of a chat completion', async () => {
    const body = await fixture('chat-completion-tool-call');
    const result = await replayResponse(
      {},
      (provider) => provider.chat('gpt-4o-mini'),
      (model, headers) => model.doGenerate({ ...callOptions, headers }),
      body,
    );
    expect(result.content).toEqual([
      { type: 'tool-call', toolCallId: 'call_abc123', toolName: 'weather', input: '{\n"city": "Boston"\n}' },
    ]);
    expect(result.finishReason).toMatchObject({ unified: 'tool-calls' });
  });

  it('gives the text of a Responses object and the vectors of an embeddings list', async () => {
    const response = await fixture('response-text');
    const text = await replayResponse(
      {},
      (provider) => provider.responses('gpt-4o-mini'),
      (model, headers) => model.doGenerate({ ...callOptions, headers }),
      response,
    );
    expect(text.content.find((part) => part.type === 'text')).toMatchObject({
      text: response.output[0].content[0].text,
    });
    const embeddings = await fixture('embeddings');
    const vectors = await replayResponse(
      {},
      (provider) => provider.embedding('text-embedding-3-small'),
      (model, headers) => model.doEmbed({ values: ['a', 'b'], headers }),
      embeddings,
    );
    expect(vectors.embeddings).toEqual(embeddings.data.map((item: { embedding: number[] }) => item.embedding));
  });
});

describe('errors', () => {
  const delivered = (outcome: DeliveredOutcome['outcome'], attempts = 1): DeliveredOutcome => ({
    kind: 'batch-bridge/outcome',
    digest: 'a'.repeat(64),
    requestKey: 'b'.repeat(32),
    batchId: 'batch_123',
    customId: 'bb-x-1',
    attempts,
    queuedAt: 1,
    submittedAt: 2,
    completedAt: 3,
    outcome,
  });

  it('turns a final error outcome into a non-retryable APICallError with the status code and body', () => {
    const body = {
      error: {
        message: 'Invalid value for temperature',
        type: 'invalid_request_error',
        param: 'temperature',
        code: null,
      },
    };
    const error = outcomeError(
      delivered({ type: 'error', statusCode: 400, body, code: 'invalid_request_error', message: 'line failed' }, 2),
      { url: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } },
      undefined,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(false);
    expect(error.statusCode).toBe(400);
    expect(error.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(JSON.parse(error.responseBody!)).toEqual(body);
    expect(error.message).toBe('Invalid value for temperature (batch batch_123, custom_id bb-x-1, after 2 attempts)');
  });

  it('in bridge mode, fails with a clear error outside a LangGraph server run, saying where the models work', async () => {
    const provider = createBatchOpenAI({ bridge: 'my_bridge', mode: 'bridge' });
    await expect(generateText({ model: provider('gpt-4o-mini'), prompt: 'hi', maxRetries: 0 })).rejects.toThrow(
      /inside a node of a graph running on a\s+LangGraph server/,
    );
    const weather = tool({
      description: 'weather',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
    });
    await expect(
      generateText({ model: provider.chat('gpt-4o-mini'), prompt: 'hi', tools: { weather }, maxRetries: 0 }),
    ).rejects.toThrow(/LangGraph server/);
  });
});
