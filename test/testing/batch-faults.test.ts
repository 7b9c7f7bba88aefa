import type OpenAI from 'openai';
import { NotFoundError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, readJsonl, runBatch, submitBatch, testClient, waitForBatch, waitUntil } from './helpers.js';

const lines = (count: number, prefix: string, text = 'question', model?: string) =>
  Array.from({ length: count }, (_, index) => chatLine(`${prefix}-${index}`, `${text} ${index}`, model));

describe('batch faults the real API shows: broken output lines, line validation, enqueued tokens, expired files', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator();
    client = testClient(emulator.baseURL);
  });
  afterEach(() => {
    emulator.setFaults({});
    emulator.setEnqueuedTokenLimit(undefined);
  });
  afterAll(() => emulator.close());

  const rawLines = async (fileId: string) =>
    (await (await client.files.content(fileId)).text()).split('\n').filter((line) => line !== '');

  it('writes the output line of a [[fault:line=malformed]] request as invalid JSON, the rest of the file intact', async () => {
    const batch = await runBatch(client, [...lines(3, 'ok'), chatLine('broken', 'x [[fault:line=malformed,times=1]]')]);
    expect(batch.request_counts).toEqual({ total: 4, completed: 4, failed: 0 });
    const text = await rawLines(batch.output_file_id!);
    expect(text).toHaveLength(4);
    const broken = text.filter((line) => line.includes('"custom_id":"broken"'));
    expect(broken).toHaveLength(1);
    expect(() => JSON.parse(broken[0])).toThrow(SyntaxError);
    const intact = text.filter((line) => line !== broken[0]).map((line) => JSON.parse(line));
    expect(intact.map((line) => line.custom_id).sort()).toEqual(['ok-0', 'ok-1', 'ok-2']);

    // times=1: the retried request comes back whole.
    const retried = await runBatch(client, [chatLine('broken', 'x [[fault:line=malformed,times=1]]')]);
    expect((await readJsonl(client, retried.output_file_id!))[0].custom_id).toBe('broken');
  });

  it('breaks a failed line in the error file too', async () => {
    const batch = await runBatch(client, [
      chatLine('fine', 'x'),
      chatLine('bad', 'y [[fault:status=500]] [[fault:line=malformed]]'),
    ]);
    const [line] = await rawLines(batch.error_file_id!);
    expect(line).toContain('"custom_id":"bad"');
    expect(() => JSON.parse(line)).toThrow(SyntaxError);
    expect(await readJsonl(client, batch.output_file_id!)).toHaveLength(1);
  });

  it('fails validation naming the 1-based file lines that carry [[fault:line=fail_validation]]', async () => {
    const batch = await runBatch(client, [
      chatLine('a', 'x'),
      chatLine('b', 'y [[fault:line=fail_validation]]'),
      '',
      chatLine('c', 'z'),
      chatLine('d', 'w [[fault:line=fail_validation]]'),
    ]);
    expect(batch.status).toBe('failed');
    expect(batch.errors?.data).toEqual([
      { code: 'invalid_request', message: 'Injected fault: this line failed validation.', param: null, line: 2 },
      { code: 'invalid_request', message: 'Injected fault: this line failed validation.', param: null, line: 5 },
    ]);
    const input = emulator.record().batches.at(-1)!.lines;
    expect(input.map((line) => line.custom_id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails validation on given lines emulator-wide with failValidation: { lines }', async () => {
    emulator.setFaults({ failValidation: { lines: [3, 1] } });
    const batch = await runBatch(client, lines(3, 'wide'));
    expect(batch.errors?.data?.map((error) => [error.code, error.line])).toEqual([
      ['invalid_request', 1],
      ['invalid_request', 3],
    ]);
  });

  describe('enqueued-token limit', () => {
    const perLineText = 'x'.repeat(400);

    it('fails a batch whose tokens, with those of the same model still running, exceed the limit; half of it passes', async () => {
      emulator.setEnqueuedTokenLimit({ 'gpt-4o-mini': 1000 });
      const running = await submitBatch(client, [
        ...lines(4, 'held', perLineText),
        chatLine('held-slow', `${perLineText} [[fault:batch=slow,ms=60000]]`),
      ]);
      await waitForBatch(client, running.id, ['in_progress']);

      const big = await runBatch(client, lines(6, 'big', perLineText));
      expect(big.status).toBe('failed');
      expect(big.errors?.data).toEqual([
        {
          code: 'token_limit_exceeded',
          message:
            'Enqueued token limit reached for gpt-4o-mini in organization org-emulator. Limit: 1,000 enqueued tokens. Please try submitting fewer tokens or wait for existing batches to complete.',
          param: null,
          line: null,
        },
      ]);
      const half = await runBatch(client, lines(3, 'half', perLineText));
      expect(half.status).toBe('completed');
      expect(emulator.enqueuedTokens('gpt-4o-mini')).toBe(emulator.estimatedInputTokens(running.id));
      expect(emulator.estimatedInputTokens(running.id) + emulator.estimatedInputTokens(big.id)).toBeGreaterThan(1000);
      expect(emulator.estimatedInputTokens(running.id) + emulator.estimatedInputTokens(half.id)).toBeLessThanOrEqual(
        1000,
      );
      // About one token per four characters of the body's strings: the model id, the role and the text.
      expect(emulator.estimatedInputTokens(half.id)).toBe(
        [0, 1, 2].reduce((total, index) => total + Math.ceil(`gpt-4o-mini user ${perLineText} ${index}`.length / 4), 0),
      );

      // Another model has its own queue; a model without a limit has none.
      expect((await runBatch(client, lines(6, 'other', perLineText, 'gpt-4o'))).status).toBe('completed');

      emulator.cancelBatch(running.id);
      await waitForBatch(client, running.id);
      expect(emulator.enqueuedTokens('gpt-4o-mini')).toBe(0);
      expect((await runBatch(client, lines(6, 'after', perLineText))).status).toBe('completed');
    });

    it('applies one number to every model, and fails a lone batch over the limit', async () => {
      const limited = await startOpenAIBatchEmulator({ enqueuedTokenLimit: 200 });
      try {
        const limitedClient = testClient(limited.baseURL);
        const alone = await runBatch(limitedClient, lines(3, 'alone', perLineText, 'gpt-4o'));
        expect(alone.status).toBe('failed');
        expect(alone.errors?.data?.[0]).toMatchObject({
          code: 'token_limit_exceeded',
          message: expect.stringContaining('gpt-4o in'),
        });
        expect((await runBatch(limitedClient, lines(1, 'one', perLineText, 'gpt-4o'))).status).toBe('completed');
      } finally {
        await limited.close();
      }
    });
  });

  describe('output files that expire', () => {
    it('answers 404 for output and error files once outputFileTtlMs has passed', async () => {
      emulator.setFaults({ outputFileTtlMs: 1000 });
      const batch = await runBatch(client, [chatLine('kept', 'x'), chatLine('failed', 'y [[fault:status=400]]')]);
      const output = await client.files.retrieve(batch.output_file_id!);
      expect(output.expires_at! - output.created_at).toBeLessThanOrEqual(2);
      expect(await readJsonl(client, batch.output_file_id!)).toHaveLength(1);
      const gone = await waitUntil(
        () =>
          client.files.content(batch.output_file_id!).then(
            () => undefined,
            (error: unknown) => error,
          ),
        { description: 'the output file to expire' },
      );
      expect(gone).toBeInstanceOf(NotFoundError);
      expect(gone).toMatchObject({
        status: 404,
        error: { message: `No such File object: ${batch.output_file_id}`, type: 'invalid_request_error' },
      });
      await expect(client.files.content(batch.error_file_id!)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.files.retrieve(batch.output_file_id!)).rejects.toBeInstanceOf(NotFoundError);
      // The input file keeps its usual life.
      expect((await client.files.content(batch.input_file_id)).ok).toBe(true);
    });

    it("expires a marked batch's files when it ends with [[fault:batch=output_expires]] (ms=N to wait)", async () => {
      const batch = await runBatch(client, [
        chatLine('m', 'x [[fault:batch=output_expires]]'),
        chatLine('e', '[[fault:status=500]]'),
      ]);
      expect(batch.status).toBe('completed');
      await expect(client.files.content(batch.output_file_id!)).rejects.toMatchObject({ status: 404 });
      await expect(client.files.content(batch.error_file_id!)).rejects.toMatchObject({ status: 404 });
      expect((await client.files.list({ purpose: 'batch_output' })).data.map((file) => file.id)).not.toContain(
        batch.output_file_id,
      );
    });
  });
});
