import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';
import { chatLine, terminalStatuses, toJsonl, waitUntil } from './helpers.js';
import { loadReferenceValidators, referenceAvailable, type ReferenceValidators } from './reference-schemas.js';

/** Raw HTTP, as in contract.test.ts: the injected failures' bodies are checked exactly as the emulator sends them. */
describe.skipIf(!referenceAvailable)(
  'injected failures answer bodies valid against the reference OpenAPI schemas',
  () => {
    let emulator: RunningEmulator;
    let reference: ReferenceValidators;

    const call = async (method: string, path: string, body?: unknown) => {
      const init: RequestInit = { method };
      if (body instanceof FormData) init.body = body;
      else if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      const response = await fetch(`${emulator.baseURL}${path}`, init);
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: JSON.parse(text) };
    };
    const upload = (lines: unknown[]) => {
      const form = new FormData();
      form.set('file', new Blob([toJsonl(lines)]), 'input.jsonl');
      form.set('purpose', 'batch');
      return call('POST', '/files', form);
    };
    const createBatch = (inputFileId: string) =>
      call('POST', '/batches', {
        input_file_id: inputFileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
      });
    const terminal = (batchId: string) =>
      waitUntil(async () => {
        const result = await call('GET', `/batches/${batchId}`);
        return terminalStatuses.includes(result.body.status) ? result.body : undefined;
      });

    beforeAll(async () => {
      reference = loadReferenceValidators();
      emulator = await startOpenAIBatchEmulator();
    });
    afterAll(() => emulator.close());

    it('quota and rate-limit refusals are ErrorResponse bodies', async () => {
      emulator.setHttpFaults({ insufficientQuota: ['upload'] });
      const quota = await upload([chatLine('a', 'x')]);
      expect(quota.status).toBe(429);
      expect(reference.schema('ErrorResponse', quota.body)).toEqual([]);

      emulator.setHttpFaults({ createRateLimit: { times: 1, retryAfterSeconds: 2 } });
      const file = await upload([chatLine('a', 'x')]);
      const limited = await createBatch(file.body.id);
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
      expect(reference.schema('ErrorResponse', limited.body)).toEqual([]);
      emulator.setHttpFaults({});
    });

    it('model_not_found, line validation errors, token_limit_exceeded and an expired file', async () => {
      const unknown = await call('POST', '/chat/completions', {
        model: 'gpt-4o-mnii',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(unknown.status).toBe(404);
      expect(reference.schema('ErrorResponse', unknown.body)).toEqual([]);

      const invalid = await upload([chatLine('a', 'x'), chatLine('b', '[[fault:line=fail_validation]]')]);
      const failed = await terminal((await createBatch(invalid.body.id)).body.id);
      expect(failed.errors.data[0].line).toBe(2);
      expect(reference.operation('retrieveBatch', failed)).toEqual([]);

      emulator.setEnqueuedTokenLimit(1);
      const big = await upload([chatLine('a', 'x')]);
      const limited = await terminal((await createBatch(big.body.id)).body.id);
      expect(limited.errors.data[0].code).toBe('token_limit_exceeded');
      expect(reference.operation('retrieveBatch', limited)).toEqual([]);
      emulator.setEnqueuedTokenLimit(undefined);

      const expiring = await upload([chatLine('a', 'x [[fault:batch=output_expires]]')]);
      const done = await terminal((await createBatch(expiring.body.id)).body.id);
      const gone = await call('GET', `/files/${done.output_file_id}/content`);
      expect(gone.status).toBe(404);
      expect(reference.schema('ErrorResponse', gone.body)).toEqual([]);
    });
  },
);
