import { describe, expect, it } from 'vitest';
import { BatchApiError } from '../../src/backends/openai/errors.js';
import { parseBatchOutput } from '../../src/backends/openai/parse-batch-output.js';
import type { OpenAIBatchRequest as BatchRequest } from '../../src/backends/openai/index.js';
import { embeddingRequest } from './support/fixtures.js';
import {
  chatText,
  emulatorApiKey,
  pollUntilTerminal,
  tracedChatRequest,
  useEmulator,
} from './support/emulator-harness.js';

const harness = useEmulator({ limits: { maxRequestsPerBatch: 150, maxEmbeddingInputsPerBatch: 10 } });

describe('OpenAI backend against the emulator', () => {
  it('runs one request end to end', async () => {
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, [tracedChatRequest('only-one')], { thread: 't-1' });
    expect(submitted).toMatchObject({ url: '/v1/chat/completions', model: 'gpt-4o-mini', customIds: ['only-one'] });
    expect(submitted.inputFileId).toMatch(/^file-/);

    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.status).toBe('completed');
    expect(poll.requestCounts).toEqual({ total: 1, completed: 1, failed: 0 });
    expect(poll.outcomes).toHaveLength(1);
    const [outcome] = poll.outcomes;
    expect(outcome).toMatchObject({ type: 'success', customId: 'only-one', statusCode: 200 });
    expect(outcome.type === 'success' && chatText(outcome.body)).toContain('Question only-one.');

    const batch = await harness.client.batches.retrieve(submitted.batchId);
    expect(batch.metadata).toEqual({ created_by: 'batch-bridge', thread: 't-1' });
    expect(batch.completion_window).toBe('24h');
    const [file] = harness.emulator.record().files;
    expect(file).toMatchObject({ id: submitted.inputFileId, purpose: 'batch' });
    expect(file.filename).toMatch(/^batch-bridge-v1-chat-completions-gpt-4o-mini-[0-9a-f]{16}\.jsonl$/);
    expect(file.bytes).toBe(backend.plan([tracedChatRequest('only-one')])[0].bytes);
  });

  it('splits 1,000 requests over 3 models at the configured limit and matches every result', async () => {
    const models = ['gpt-4o-mini', 'gpt-4.1-nano', 'gpt-4o'];
    const requests = Array.from({ length: 1_000 }, (_, index) =>
      tracedChatRequest(`req-${String(index).padStart(4, '0')}`, models[index % 3]),
    );
    const backend = harness.backend({ limits: { maxRequestsPerBatch: 150 } });
    const groups = backend.plan(requests);
    expect(new Set(groups.map((group) => group.model)).size).toBe(3);
    expect(groups.map((group) => [group.model, group.requests.length])).toEqual([
      ['gpt-4.1-nano', 150],
      ['gpt-4.1-nano', 150],
      ['gpt-4.1-nano', 33],
      ['gpt-4o', 150],
      ['gpt-4o', 150],
      ['gpt-4o', 33],
      ['gpt-4o-mini', 150],
      ['gpt-4o-mini', 150],
      ['gpt-4o-mini', 34],
    ]);

    const submitted = await harness.submitAll(backend, requests);
    const polls = await Promise.all(submitted.map((batch) => pollUntilTerminal(backend, batch)));
    const outcomes = polls.flatMap((poll) => poll.outcomes);
    expect(outcomes).toHaveLength(1_000);
    expect(new Set(outcomes.map((outcome) => outcome.customId)).size).toBe(1_000);
    for (const outcome of outcomes) {
      expect(outcome.type).toBe('success');
      if (outcome.type === 'success') expect(chatText(outcome.body)).toContain(`Question ${outcome.customId}.`);
    }
    const recorded = harness.emulator.record().batches;
    expect(recorded).toHaveLength(9);
    for (const batch of recorded) expect(batch.customIds.length).toBeLessThanOrEqual(150);
  });

  it('matches a shuffled output file by custom_id', async () => {
    const requests = Array.from({ length: 40 }, (_, index) => tracedChatRequest(`shuffled-${index}`));
    const backend = harness.backend();
    const [submitted] = await harness.submitAll(backend, requests);
    const poll = await pollUntilTerminal(backend, submitted);

    const batch = await harness.client.batches.retrieve(submitted.batchId);
    const response = await harness.client.files.content(batch.output_file_id as string);
    const fileOrder: string[] = [];
    for await (const line of parseBatchOutput(response.body!, 'output')) fileOrder.push(line.custom_id);
    expect(fileOrder).not.toEqual(submitted.customIds);
    expect([...fileOrder].sort()).toEqual([...submitted.customIds].sort());

    expect(poll.outcomes.map((outcome) => outcome.customId)).toEqual(submitted.customIds);
    for (const outcome of poll.outcomes) {
      expect(outcome.type === 'success' && chatText(outcome.body)).toContain(`Question ${outcome.customId}.`);
    }
  });

  it('splits embeddings at the embedding input limit the emulator enforces', async () => {
    const requests: BatchRequest[] = Array.from({ length: 7 }, (_, index) =>
      embeddingRequest(`embed-${index}`, [`first ${index}`, `second ${index}`, `third ${index}`]),
    );
    const backend = harness.backend({ limits: { maxEmbeddingInputsPerBatch: 10 } });
    expect(backend.plan(requests).map((group) => group.requests.length)).toEqual([3, 3, 1]);
    const submitted = await harness.submitAll(backend, requests);
    const polls = await Promise.all(submitted.map((batch) => pollUntilTerminal(backend, batch)));
    expect(polls.map((poll) => poll.status)).toEqual(['completed', 'completed', 'completed']);
    for (const outcome of polls.flatMap((poll) => poll.outcomes)) {
      expect(outcome.type).toBe('success');
      expect(outcome.type === 'success' && (outcome.body as { data: unknown[] }).data).toHaveLength(3);
    }
  });

  it('reports a wrong key as a clear BatchApiError without the key', async () => {
    const wrongKey = 'sk-wrong-key-abcdefghijklmnopqrstuvwxyz';
    const backend = harness.backend({ apiKey: wrongKey });
    const error = await backend
      .submit(backend.plan([tracedChatRequest('never')])[0])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchApiError);
    expect(error).toMatchObject({ operation: 'upload', status: 401, retryable: false });
    const exposed = `${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(exposed).not.toContain(wrongKey);
    expect(exposed).not.toContain('wxyz');
    expect(exposed).not.toContain(emulatorApiKey);
    expect(harness.emulator.record().files).toHaveLength(0);
  });

  it('lets an explicit client do the talking', async () => {
    const backend = harness.backend({ apiKey: undefined, baseURL: undefined, client: harness.client });
    const [submitted] = await harness.submitAll(backend, [tracedChatRequest('via-client')]);
    const poll = await pollUntilTerminal(backend, submitted);
    expect(poll.outcomes[0].type).toBe('success');
  });
});
