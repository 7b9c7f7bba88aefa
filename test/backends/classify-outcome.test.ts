import { describe, expect, it } from 'vitest';
import {
  classifyOutputLine,
  missingOutcome,
  outcomesForFailedBatch,
  type BatchErrorData,
} from '../../src/backends/openai/classify-outcome.js';
import { collectFileOutcomes, mergeOutcomes } from '../../src/backends/openai/collect-outcomes.js';
import type { BatchOutputLine } from '../../src/backends/openai/parse-batch-output.js';
import type { RequestOutcome } from '../../src/backends/types.js';
import { fixtureJson, parsedFixture } from './support/fixtures.js';

const byId = (outcomes: RequestOutcome[]) => Object.fromEntries(outcomes.map((outcome) => [outcome.customId, outcome]));

function httpLine(customId: string, statusCode: number, body: unknown): BatchOutputLine {
  return { custom_id: customId, response: { status_code: statusCode, body }, error: null };
}

function apiErrorBody(code: string | null, type: string, message: string) {
  return { error: { message, type, param: null, code } };
}

describe('classifyOutputLine', () => {
  it('turns a 2xx line into a success carrying the body', async () => {
    const [line] = await parsedFixture('output-completed.jsonl');
    expect(classifyOutputLine(line)).toEqual({
      type: 'success',
      customId: 'request-3',
      statusCode: 200,
      body: line.response?.body,
    });
  });

  it.each(['embeddings-response.json', 'responses-response.json', 'chat-completion.json'])(
    'passes a %s body through untouched',
    (name) => {
      const body = fixtureJson(name);
      expect(classifyOutputLine(httpLine('x', 200, body))).toEqual({
        type: 'success',
        customId: 'x',
        statusCode: 200,
        body,
      });
    },
  );

  it('classifies the error lines of a real-shaped error file', async () => {
    const outcomes = byId((await parsedFixture('errors-completed.jsonl')).map(classifyOutputLine));
    expect(outcomes['request-4']).toMatchObject({
      type: 'error',
      statusCode: 400,
      code: 'invalid_value',
      retryable: false,
      message: expect.stringContaining('temperature'),
      body: { error: { type: 'invalid_request_error', param: 'temperature' } },
    });
    expect(outcomes['request-5']).toMatchObject({ statusCode: 429, code: 'rate_limit_exceeded', retryable: true });
    expect(outcomes['request-6']).toMatchObject({ statusCode: 500, code: 'server_error', retryable: true });
  });

  it.each([
    [400, 'invalid_value', false],
    [401, 'invalid_api_key', false],
    [404, 'model_not_found', false],
    [422, null, false],
    [429, 'rate_limit_exceeded', true],
    [429, 'insufficient_quota', false],
    [500, null, true],
    [502, null, true],
    [503, null, true],
  ])('HTTP %i with code %s is retryable: %s', (statusCode, code, retryable) => {
    const outcome = classifyOutputLine(httpLine('x', statusCode, apiErrorBody(code, 'some_error', 'failed')));
    expect(outcome).toMatchObject({ type: 'error', statusCode, retryable });
  });

  it('falls back to the status when the error body says nothing', () => {
    expect(classifyOutputLine(httpLine('x', 503, 'upstream down'))).toMatchObject({
      code: 'http_503',
      message: 'The request failed with HTTP status 503.',
      body: 'upstream down',
      retryable: true,
    });
  });

  it.each([
    ['batch_expired', true],
    ['batch_cancelled', true],
    ['token_limit_exceeded', true],
    ['some_new_code', false],
  ])('a line without a response and error code %s is retryable: %s', (code, retryable) => {
    const outcome = classifyOutputLine({ custom_id: 'x', response: null, error: { code, message: 'm' } });
    expect(outcome).toEqual({ type: 'error', customId: 'x', code, message: 'm', retryable });
  });
});

describe('outcomesForFailedBatch', () => {
  const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
  const errorsOf = (name: string): BatchErrorData[] => fixtureJson(name).errors.data;

  it('makes every request a retryable token_limit_exceeded error', () => {
    const outcomes = outcomesForFailedBatch(ids, errorsOf('batch-failed-token-limit.json'));
    expect(outcomes).toHaveLength(5);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ type: 'error', code: 'token_limit_exceeded', retryable: true });
      expect(outcome.type === 'error' && outcome.message).toContain('Enqueued token limit');
    }
  });

  it('blames the requests on the named lines (1-based) and lets the others be retried', () => {
    const outcomes = byId(outcomesForFailedBatch(ids, errorsOf('batch-failed-lines.json')));
    expect(outcomes.r2).toMatchObject({ code: 'invalid_json_line', retryable: false });
    expect(outcomes.r4).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(outcomes.r4.type === 'error' && outcomes.r4.message).toContain('line 4: The url provided');
    for (const bystander of ['r1', 'r3', 'r5']) {
      expect(outcomes[bystander]).toMatchObject({ code: 'batch_failed', retryable: true });
      expect(outcomes[bystander].type === 'error' && outcomes[bystander].message).toContain('line 2');
    }
  });

  it('gives an error without a line to every request, non-retryable', () => {
    const outcomes = outcomesForFailedBatch(ids, errorsOf('batch-failed-global.json'));
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ code: 'mismatched_model', retryable: false });
      expect(outcome.type === 'error' && outcome.message).toContain('does not match the model');
    }
  });

  it('treats a line we did not send as an error without a line', () => {
    const outcomes = outcomesForFailedBatch(['r1', 'r2'], [{ code: 'invalid_request', message: 'bad', line: 7 }]);
    expect(outcomes.map((outcome) => outcome.type === 'error' && outcome.retryable)).toEqual([false, false]);
  });

  it('still answers every request when the failed batch gives no errors', () => {
    expect(outcomesForFailedBatch(['r1'], [])).toEqual([
      expect.objectContaining({ customId: 'r1', code: 'batch_failed', retryable: false }),
    ]);
  });
});

describe('collecting outcomes', () => {
  it('matches a shuffled output by custom_id, never by line order', async () => {
    const submitted = ['request-1', 'request-2', 'request-3'];
    const file = await collectFileOutcomes(await parsedFixture('output-completed.jsonl'), new Set(submitted));
    const { outcomes } = mergeOutcomes(submitted, 'completed', [file]);
    expect(outcomes.map((outcome) => outcome.customId)).toEqual(submitted);
    const contents = outcomes.map(
      (outcome) => outcome.type === 'success' && (outcome.body as any).choices[0].message.content,
    );
    expect(contents).toEqual(['One.', 'Two.', 'Three.']);
  });

  it('joins output and error files and answers every request exactly once', async () => {
    const submitted = ['request-1', 'request-2', 'request-3', 'request-4', 'request-5', 'request-6', 'request-7'];
    const set = new Set(submitted);
    const files = [
      await collectFileOutcomes(await parsedFixture('output-completed.jsonl'), set),
      await collectFileOutcomes(await parsedFixture('errors-completed.jsonl'), set),
    ];
    const { outcomes } = mergeOutcomes(submitted, 'completed', files);
    expect(outcomes.map((outcome) => [outcome.customId, outcome.type])).toEqual([
      ['request-1', 'success'],
      ['request-2', 'success'],
      ['request-3', 'success'],
      ['request-4', 'error'],
      ['request-5', 'error'],
      ['request-6', 'error'],
      ['request-7', 'error'],
    ]);
    expect(outcomes[6]).toMatchObject({ code: 'missing_result', retryable: true });
  });

  it('completes an expired batch: done lines succeed, the rest are retryable', async () => {
    const submitted = ['request-1', 'request-2', 'request-3', 'request-4'];
    const set = new Set(submitted);
    const files = [
      await collectFileOutcomes(await parsedFixture('output-expired.jsonl'), set),
      await collectFileOutcomes(await parsedFixture('errors-expired.jsonl'), set),
    ];
    const outcomes = byId(mergeOutcomes(submitted, 'expired', files).outcomes);
    expect(outcomes['request-1'].type).toBe('success');
    for (const id of ['request-2', 'request-3', 'request-4']) {
      expect(outcomes[id]).toMatchObject({ type: 'error', code: 'batch_expired', retryable: true });
    }
  });

  it('gives requests of a cancelled batch missing from both files batch_cancelled', async () => {
    const file = await collectFileOutcomes(await parsedFixture('errors-cancelled.jsonl'), new Set(['request-2', 'x']));
    const outcomes = mergeOutcomes(['request-2', 'x'], 'cancelled', [file]).outcomes;
    expect(outcomes.map((outcome) => outcome.type === 'error' && [outcome.code, outcome.retryable])).toEqual([
      ['batch_cancelled', true],
      ['batch_cancelled', true],
    ]);
  });

  it('ignores and counts lines for custom ids that were not submitted, and prefers a success over a duplicate', async () => {
    const lines: BatchOutputLine[] = [
      httpLine('a', 500, apiErrorBody(null, 'server_error', 'oops')),
      httpLine('stranger', 200, {}),
      httpLine('a', 200, { ok: true }),
      httpLine('a', 429, apiErrorBody('rate_limit_exceeded', 'requests', 'slow down')),
    ];
    const file = await collectFileOutcomes(lines, new Set(['a']));
    const merged = mergeOutcomes(['a'], 'completed', [file]);
    expect(merged.outcomes).toEqual([{ type: 'success', customId: 'a', statusCode: 200, body: { ok: true } }]);
    expect(merged.unknownCustomIds).toBe(1);
    expect(merged.duplicateLines).toBe(2);
  });

  it('answers a custom id submitted twice only once', () => {
    expect(mergeOutcomes(['a', 'a'], 'completed', [])).toMatchObject({ outcomes: [{ customId: 'a' }] });
  });
});

describe('missingOutcome', () => {
  it.each([
    ['completed', 'missing_result'],
    ['expired', 'batch_expired'],
    ['cancelled', 'batch_cancelled'],
  ] as const)('a request missing from a %s batch is a retryable %s', (status, code) => {
    expect(missingOutcome('x', status)).toMatchObject({ type: 'error', customId: 'x', code, retryable: true });
  });
});
