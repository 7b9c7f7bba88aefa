import { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { BatchApiError, BatchOutputUnavailableError } from '../../src/backends/openai/errors.js';
import type { RequestOutcome } from '../../src/backends/types.js';
import {
  chatText,
  pollUntilStatus,
  pollUntilTerminal,
  testRetry,
  tracedChatRequest,
  useEmulator,
  waitForBatchStatus,
} from './support/emulator-harness.js';

const harness = useEmulator();

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
const requestsFor = (customIds: string[], marker = '') =>
  customIds.map((id) => tracedChatRequest(id, 'gpt-4o-mini', marker));
const byId = (outcomes: RequestOutcome[]) => Object.fromEntries(outcomes.map((outcome) => [outcome.customId, outcome]));
const retryableIds = (outcomes: RequestOutcome[]) =>
  outcomes.filter((outcome) => outcome.type === 'error' && outcome.retryable).map((outcome) => outcome.customId);

describe('batch faults', () => {
  it('failed validation: every request a non-retryable error with the validation message', async () => {
    const backend = harness.backend();
    const requests = [
      ...requestsFor(ids('valid', 4)),
      tracedChatRequest('marked', 'gpt-4o-mini', ' [[fault:batch=fail_validation]]'),
    ];
    const [submitted] = await harness.submitAll(backend, requests);
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('failed');
    expect(poll.batchErrors?.[0]).toMatchObject({ code: 'invalid_request', line: null });
    expect(poll.outcomes).toHaveLength(5);
    for (const outcome of poll.outcomes) {
      expect(outcome).toMatchObject({ type: 'error', code: 'invalid_request', retryable: false });
      expect(outcome.type === 'error' && outcome.message).toContain('failed validation');
    }
  });

  it('failed validation of one line: that request is blamed, its neighbours may be retried', async () => {
    // The backend never writes such a file; one is uploaded by hand to see how line numbers map to custom ids.
    const line = (customId: string, body: Record<string, unknown>) => ({
      custom_id: customId,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { messages: [{ role: 'user', content: customId }], ...body },
    });
    const lines = [
      line('line-1', { model: 'gpt-4o-mini' }),
      line('line-2', {}),
      line('line-3', { model: 'gpt-4o-mini' }),
    ];
    const content = Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const file = await harness.client.files.create({
      file: await toFile(content, 'hand-made.jsonl'),
      purpose: 'batch',
    });
    const batch = await harness.client.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    harness.expectSubmitted(['line-1', 'line-2', 'line-3']);

    const poll = await pollUntilTerminal(harness.backend(), {
      batchId: batch.id,
      customIds: ['line-1', 'line-2', 'line-3'],
    });
    expect(poll.status).toBe('failed');
    const outcomes = byId(poll.outcomes);
    expect(outcomes['line-2']).toMatchObject({ code: 'missing_required_parameter', retryable: false });
    expect(outcomes['line-2'].type === 'error' && outcomes['line-2'].message).toContain('body.model');
    expect(outcomes['line-1']).toMatchObject({ code: 'batch_failed', retryable: true });
    expect(outcomes['line-3']).toMatchObject({ code: 'batch_failed', retryable: true });
  });

  it('token_limit_exceeded: every request retryable, and a resubmission succeeds', async () => {
    harness.emulator.setFaults({ tokenLimitExceeded: { times: 1 } });
    const backend = harness.backend();
    const customIds = ids('tokens', 6);
    const [first] = await harness.submitAll(backend, requestsFor(customIds));
    const failed = await pollUntilTerminal(backend, first);
    expect(failed.status).toBe('failed');
    for (const outcome of failed.outcomes) {
      expect(outcome).toMatchObject({ type: 'error', code: 'token_limit_exceeded', retryable: true });
    }

    const retry = requestsFor(retryableIds(failed.outcomes));
    const [second] = await harness.submitAll(backend, retry);
    const done = await pollUntilTerminal(backend, second);
    expect(done.status).toBe('completed');
    expect(done.outcomes.map((outcome) => outcome.type)).toEqual(Array(6).fill('success'));
  });

  it('expired with a fraction done: done lines succeed, the rest are retryable batch_expired', async () => {
    harness.emulator.setFaults({ expireAfterFraction: 0.5 });
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('expire', 20)));
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('expired');
    const successes = poll.outcomes.filter((outcome) => outcome.type === 'success');
    expect(successes).toHaveLength(10);
    for (const outcome of successes) {
      expect(outcome.type === 'success' && chatText(outcome.body)).toContain(`Question ${outcome.customId}.`);
    }
    const rest = poll.outcomes.filter((outcome) => outcome.type === 'error');
    expect(rest).toHaveLength(10);
    for (const outcome of rest) expect(outcome).toMatchObject({ code: 'batch_expired', retryable: true });
  });

  it('cancelled by the system with a fraction done: the rest are retryable batch_cancelled', async () => {
    harness.emulator.setFaults({ cancelAfterFraction: 0.25 });
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('system-cancel', 20)));
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('cancelled');
    expect(poll.outcomes.filter((outcome) => outcome.type === 'success')).toHaveLength(5);
    const rest = poll.outcomes.filter((outcome) => outcome.type === 'error');
    expect(rest).toHaveLength(15);
    for (const outcome of rest) expect(outcome).toMatchObject({ code: 'batch_cancelled', retryable: true });
  });

  it('cancel() mid-run: unfinished requests are retryable batch_cancelled, a second cancel is harmless', async () => {
    harness.emulator.setTimings({ inProgressMs: 2_000 });
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('user-cancel', 10)));
    await pollUntilStatus(backend, submitted, ['in_progress']);
    await backend.cancel(submitted.batchId);
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('cancelled');
    expect(poll.outcomes).toHaveLength(10);
    for (const outcome of poll.outcomes) {
      if (outcome.type === 'error') expect(outcome).toMatchObject({ code: 'batch_cancelled', retryable: true });
    }
    expect(poll.outcomes.some((outcome) => outcome.type === 'error')).toBe(true);
    await expect(backend.cancel(submitted.batchId)).resolves.toBeUndefined();
  });

  it('cancel() while validating: no files at all, every request retryable batch_cancelled', async () => {
    harness.emulator.setTimings({ validatingMs: 2_000 });
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('early-cancel', 3)));
    await backend.cancel(submitted.batchId);
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('cancelled');
    for (const outcome of poll.outcomes) expect(outcome).toMatchObject({ code: 'batch_cancelled', retryable: true });
  });

  it('cancelled from the dashboard: same outcomes as any cancellation', async () => {
    harness.emulator.setTimings({ inProgressMs: 2_000 });
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('dashboard', 4)));
    await pollUntilStatus(backend, submitted, ['in_progress']);
    harness.emulator.cancelBatch(submitted.batchId);
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('cancelled');
    for (const outcome of poll.outcomes) {
      if (outcome.type === 'error') expect(outcome).toMatchObject({ code: 'batch_cancelled', retryable: true });
    }
  });

  it('per-line 400, 429 and 500: classified, and the retryable ones succeed when resubmitted', async () => {
    const backend = harness.backend();
    const requests = [
      tracedChatRequest('fine', 'gpt-4o-mini'),
      tracedChatRequest('bad-request', 'gpt-4o-mini', ' [[fault:status=400]]'),
      tracedChatRequest('rate-limited', 'gpt-4o-mini', ' [[fault:status=429,times=1]]'),
      tracedChatRequest('server-error', 'gpt-4o-mini', ' [[fault:status=500,times=1]]'),
    ];
    const [submitted] = await harness.submitAll(backend, requests);
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('completed');
    const outcomes = byId(poll.outcomes);
    expect(outcomes.fine.type).toBe('success');
    expect(outcomes['bad-request']).toMatchObject({
      type: 'error',
      statusCode: 400,
      retryable: false,
      body: { error: { type: 'invalid_request_error' } },
    });
    expect(outcomes['rate-limited']).toMatchObject({ statusCode: 429, code: 'rate_limit_exceeded', retryable: true });
    expect(outcomes['server-error']).toMatchObject({ statusCode: 500, code: 'server_error', retryable: true });

    const retry = requests.filter((request) => retryableIds(poll.outcomes).includes(request.customId));
    expect(retry.map((request) => request.customId)).toEqual(['rate-limited', 'server-error']);
    const [second] = await harness.submitAll(backend, retry);
    const again = await pollUntilTerminal(backend, second);
    expect(again.outcomes.map((outcome) => outcome.type)).toEqual(['success', 'success']);
  });

  it('completed with every line failed: no output file, every outcome from the error file', async () => {
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('all-fail', 3), ' [[fault:status=400]]'));
    const poll = await pollUntilTerminal(backend, submitted);
    const batch = await harness.client.batches.retrieve(submitted.batchId);
    expect(batch).toMatchObject({ status: 'completed', output_file_id: null });
    expect(poll.outcomes.map((outcome) => outcome.type === 'error' && [outcome.statusCode, outcome.retryable])).toEqual(
      Array(3).fill([400, false]),
    );
  });

  it('output file missing: a retryable BatchOutputUnavailableError, no outcomes invented', async () => {
    harness.emulator.setFaults({ outputFileMissing: true });
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requestsFor(ids('missing-output', 3)));
    await waitForBatchStatus(harness.client, submitted.batchId, ['completed']);
    const error = await backend.poll(submitted).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchOutputUnavailableError);
    expect(error).toMatchObject({ retryable: true, operation: 'fileContent', status: 404, batchId: submitted.batchId });
    expect((error as Error).message).toContain('poll again later');
  });
});

describe('HTTP faults', () => {
  it.each(['upload', 'createBatch', 'retrieveBatch', 'fileContent'] as const)(
    'a 500 on %s for two calls is retried and the batch goes through',
    async (operation) => {
      harness.emulator.setHttpFaults({ [operation]: testRetry.attempts - 1 });
      const backend = harness.backend();
      const [submitted] = await harness.submitAll(backend, requestsFor(ids(`flaky-${operation}`, 3)));
      const poll = await pollUntilTerminal(backend, submitted);
      expect(poll.outcomes.map((outcome) => outcome.type)).toEqual(['success', 'success', 'success']);
      const record = harness.emulator.record();
      expect(record.batches).toHaveLength(1);
      expect(record.files.filter((file) => file.purpose === 'batch')).toHaveLength(1);
      expect(record.calls[operation]).toBeGreaterThanOrEqual(testRetry.attempts);
      if (operation === 'upload' || operation === 'createBatch')
        expect(record.calls[operation]).toBe(testRetry.attempts);
      // Before trying a create again, the backend looks for a batch the failed attempt might have made.
      expect(record.calls.listBatches ?? 0).toBe(operation === 'createBatch' ? testRetry.attempts - 1 : 0);
    },
  );

  it('a persisting 500 on upload ends in a BatchApiError naming the operation, nothing submitted', async () => {
    harness.emulator.setHttpFaults({ upload: 100 });
    const backend = harness.backend();
    const group = backend.plan(requestsFor(ids('no-upload', 2)))[0];
    const error = await backend.submit(group).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ operation: 'upload', status: 500, retryable: true, attempts: testRetry.attempts });
    expect((error as Error).message).toContain('"upload"');
    expect(harness.emulator.record().calls.upload).toBe(testRetry.attempts);
    expect(harness.emulator.record().batches).toHaveLength(0);
  });

  it('a persisting 500 on createBatch ends in a BatchApiError, and the uploaded file is deleted', async () => {
    harness.emulator.setHttpFaults({ createBatch: 100 });
    const backend = harness.backend();
    const group = backend.plan(requestsFor(ids('no-create', 2)))[0];
    const error = await backend.submit(group).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      operation: 'createBatch',
      status: 500,
      retryable: true,
      attempts: testRetry.attempts,
    });
    expect((error as Error).message).toContain('was deleted');
    const record = harness.emulator.record();
    expect(record.batches).toHaveLength(0);
    expect(record.calls.deleteFile).toBe(1);
    const uploaded = record.files[0];
    await expect(harness.client.files.retrieve(uploaded.id)).rejects.toMatchObject({ status: 404 });
  });

  it.each(['retrieveBatch', 'fileContent'] as const)(
    'a persisting 500 on %s ends in a BatchApiError; once it clears, the poll gets every outcome',
    async (operation) => {
      const backend = harness.backend();
      const [submitted] = await harness.submitAll(backend, requestsFor(ids(`stuck-${operation}`, 3)));
      await waitForBatchStatus(harness.client, submitted.batchId, ['completed']);
      harness.emulator.setHttpFaults({ [operation]: 100 });
      const error = await backend.poll(submitted).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BatchApiError);
      expect(error).toMatchObject({ operation, status: 500, retryable: true, attempts: testRetry.attempts });
      harness.emulator.setHttpFaults({});
      const poll = await pollUntilTerminal(backend, submitted);
      expect(poll.outcomes.map((outcome) => outcome.type)).toEqual(['success', 'success', 'success']);
    },
  );
});
