import { describe, expect, it } from 'vitest';
import { BatchPlanError } from '../../src/backends/openai/errors.js';
import { countEmbeddingInputs, planBatches } from '../../src/backends/openai/plan-batches.js';
import { serializeBatchInput, serializeBatchLine } from '../../src/backends/openai/serialize-batch-input.js';
import { openAIBatchLimits, type OpenAIBatchLimits } from '../../src/backends/openai/settings.js';
import type { OpenAIBatchRequest as BatchRequest } from '../../src/backends/openai/index.js';
import { chatRequest, embeddingRequest } from './support/fixtures.js';

const limits = (overrides: Partial<OpenAIBatchLimits> = {}): OpenAIBatchLimits => ({
  ...openAIBatchLimits,
  ...overrides,
});

function planError(run: () => unknown): BatchPlanError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BatchPlanError);
    return error as BatchPlanError;
  }
  throw new Error('expected a BatchPlanError');
}

describe('planBatches', () => {
  it('groups by endpoint and model, sorted, keeping input order inside each group', () => {
    const requests: BatchRequest[] = [
      chatRequest('a1', 'gpt-4o-mini'),
      embeddingRequest('e1', 'hello'),
      chatRequest('b1', 'gpt-4o'),
      chatRequest('a2', 'gpt-4o-mini'),
      { customId: 'r1', payload: { url: '/v1/responses', body: { model: 'gpt-4o-mini', input: 'hi' } } },
      chatRequest('b2', 'gpt-4o'),
    ];
    const groups = planBatches(requests, limits());
    expect(groups.map((group) => [group.url, group.model, group.requests.map((request) => request.customId)])).toEqual([
      ['/v1/chat/completions', 'gpt-4o', ['b1', 'b2']],
      ['/v1/chat/completions', 'gpt-4o-mini', ['a1', 'a2']],
      ['/v1/embeddings', 'text-embedding-3-small', ['e1']],
      ['/v1/responses', 'gpt-4o-mini', ['r1']],
    ]);
  });

  it('gives the same groups whatever order the groups first appear in', () => {
    const requests = [chatRequest('x', 'model-b'), chatRequest('y', 'model-a'), chatRequest('z', 'model-b')];
    const reordered = [requests[1], requests[0], requests[2]];
    const names = (groups: ReturnType<typeof planBatches>) => groups.map((group) => group.model);
    expect(names(planBatches(requests, limits()))).toEqual(names(planBatches(reordered, limits())));
    expect(planBatches(requests, limits())).toEqual(planBatches(requests, limits()));
  });

  it('splits at the request count limit', () => {
    const requests = Array.from({ length: 10 }, (_, index) => chatRequest(`r${index}`));
    const groups = planBatches(requests, limits({ maxRequestsPerBatch: 4 }));
    expect(groups.map((group) => group.requests.length)).toEqual([4, 4, 2]);
    expect(groups.flatMap((group) => group.requests.map((request) => request.customId))).toEqual(
      requests.map((request) => request.customId),
    );
  });

  it('counts bytes exactly as the uploaded file, multi-byte characters included', () => {
    const requests = [chatRequest('ascii'), chatRequest('emoji', 'gpt-4o-mini', 'héllo 👋 世界')];
    const [group] = planBatches(requests, limits());
    expect(group.bytes).toBe(serializeBatchInput(requests).length);
    expect(group.bytes).toBe(serializeBatchInput(requests, group.bytes).length);
    expect(group.bytes).toBeGreaterThan(requests.map(serializeBatchLine).join('').length);
  });

  it('fills a file up to exactly the byte limit and splits after it', () => {
    const requests = Array.from({ length: 5 }, (_, index) => chatRequest(`same-size-${index}`));
    const lineBytes = Buffer.byteLength(serializeBatchLine(requests[0]));
    const exact = planBatches(requests, limits({ maxBytesPerFile: lineBytes * 2 }));
    expect(exact.map((group) => group.requests.length)).toEqual([2, 2, 1]);
    expect(exact.map((group) => group.bytes)).toEqual([lineBytes * 2, lineBytes * 2, lineBytes]);
    const short = planBatches(requests, limits({ maxBytesPerFile: lineBytes * 2 - 1 }));
    expect(short.map((group) => group.requests.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('splits embeddings batches at the embedding input limit', () => {
    const requests = [
      embeddingRequest('e1', ['a', 'b', 'c']),
      embeddingRequest('e2', ['d', 'e']),
      embeddingRequest('e3', 'f'),
      embeddingRequest('e4', [1, 2, 3]),
    ];
    const groups = planBatches(requests, limits({ maxEmbeddingInputsPerBatch: 4 }));
    expect(groups.map((group) => group.requests.map((request) => request.customId))).toEqual([
      ['e1'],
      ['e2', 'e3', 'e4'],
    ]);
  });

  it('does not count embedding inputs for other endpoints', () => {
    const requests = [
      { customId: 'r1', payload: { url: '/v1/responses', body: { model: 'm', input: ['a', 'b', 'c'] } } },
      { customId: 'r2', payload: { url: '/v1/responses', body: { model: 'm', input: ['a', 'b', 'c'] } } },
    ];
    expect(planBatches(requests, limits({ maxEmbeddingInputsPerBatch: 1 }))).toHaveLength(1);
  });

  it('refuses a request larger than a whole file, naming it', () => {
    const huge = chatRequest('too-big', 'gpt-4o-mini', 'x'.repeat(2_000));
    const error = planError(() => planBatches([chatRequest('fine'), huge], limits({ maxBytesPerFile: 1_000 })));
    expect(error.code).toBe('request_too_large');
    expect(error.customId).toBe('too-big');
    expect(error.message).toContain('"too-big"');
  });

  it('refuses an embeddings request with more inputs than a batch may hold', () => {
    const error = planError(() =>
      planBatches([embeddingRequest('many', ['a', 'b', 'c'])], limits({ maxEmbeddingInputsPerBatch: 2 })),
    );
    expect(error.code).toBe('request_too_large');
    expect(error.customId).toBe('many');
  });

  it('refuses duplicate custom ids, even across groups', () => {
    const error = planError(() => planBatches([chatRequest('same', 'm1'), chatRequest('same', 'm2')], limits()));
    expect(error.code).toBe('duplicate_custom_id');
    expect(error.customId).toBe('same');
    expect(error.message).toContain('"same"');
  });

  it('refuses requests without a model, with an unknown endpoint or without a custom id', () => {
    expect(
      planError(() => planBatches([{ customId: 'a', payload: { url: '/v1/chat/completions', body: {} } }], limits()))
        .code,
    ).toBe('missing_model');
    expect(
      planError(() => planBatches([{ customId: 'a', payload: { url: '/v1/chat', body: { model: 'm' } } }], limits()))
        .code,
    ).toBe('unsupported_endpoint');
    expect(
      planError(() =>
        planBatches([{ customId: '', payload: { url: '/v1/embeddings', body: { model: 'm' } } }], limits()),
      ).code,
    ).toBe('invalid_request');
  });

  it('refuses a body that is not JSON, naming the request', () => {
    const error = planError(() =>
      planBatches(
        [{ customId: 'big-int', payload: { url: '/v1/chat/completions', body: { model: 'm', seed: 10n } } }],
        limits(),
      ),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.customId).toBe('big-int');
  });

  it('returns no groups for no requests', () => {
    expect(planBatches([], limits())).toEqual([]);
  });
});

describe('countEmbeddingInputs', () => {
  it.each([
    ['a string', 'hello', 1],
    ['an array of strings', ['a', 'b', 'c'], 3],
    ['one tokenized input', [101, 2023, 102], 1],
    ['several tokenized inputs', [[101], [102, 103]], 2],
  ])('counts %s', (_name, input, expected) => {
    expect(countEmbeddingInputs({ model: 'm', input })).toBe(expected);
  });
});

describe('serializeBatchLine', () => {
  it('writes the line the Batch API reads, newline included', () => {
    const line = serializeBatchLine(chatRequest('c1'));
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      custom_id: 'c1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: chatRequest('c1').payload.body,
    });
  });

  it('notices when requests no longer match their planned size', () => {
    const requests = [chatRequest('c1')];
    const [group] = planBatches(requests, limits());
    expect(() => serializeBatchInput(requests, group.bytes - 1)).toThrow(BatchPlanError);
    expect(() => serializeBatchInput(requests, group.bytes + 1)).toThrow(BatchPlanError);
  });
});
