import { generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalEnvironment, waitFor, type LocalEnvironment } from './support/local-environment.js';

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await environment?.close();
  environment = undefined;
});

const prompts = (count: number, tag: string) => Array.from({ length: count }, (_, index) => `Question ${index} ${tag}`);

describe('local mode: concurrent calls in one script', () => {
  it('turns 500 concurrent generateText calls into one batch, each with its own answer', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider().chat('gpt-4o-mini');
    const questions = prompts(500, 'five-hundred');
    const results = await Promise.all(questions.map((prompt) => generateText({ model, prompt })));

    results.forEach((result, index) => expect(result.text).toBe(`Echo: ${questions[index]}`));
    const record = environment.emulator.record();
    expect(record.batches).toHaveLength(1);
    expect(record.batches[0].lines).toHaveLength(500);
    expect([...environment.emulator.submittedCounts().values()].every((count) => count === 1)).toBe(true);
    const metadata = results.map((result) => result.providerMetadata?.batchBridge as Record<string, unknown>);
    expect(new Set(metadata.map((each) => each.batchId)).size).toBe(1);
    expect(metadata[0]).toMatchObject({
      mode: 'local',
      fromCache: false,
      attempts: 1,
      batchId: record.batches[0].batchId,
    });
    expect(results[0].usage.inputTokens).toBeGreaterThan(0);
  });

  it('splits 500 calls at maxRequests: 200 into batches of 200, 200 and 100', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider({ local: { maxRequests: 200 } }).chat('gpt-4o-mini');
    const questions = prompts(500, 'split');
    const results = await Promise.all(questions.map((prompt) => generateText({ model, prompt })));
    results.forEach((result, index) => expect(result.text).toBe(`Echo: ${questions[index]}`));
    const sizes = environment.emulator.record().batches.map((batch) => batch.lines.length);
    expect(sizes.sort((a, b) => b - a)).toEqual([200, 200, 100]);
  });

  it('follows a custom shouldSubmit, and leaves out a call aborted while it was queued', async () => {
    environment = await startLocalEnvironment();
    const seen: number[] = [];
    const shouldSubmit = ({ count }: { count: number }) => (seen.push(count), count >= 2);
    const model = environment.provider({ local: { shouldSubmit } }).chat('gpt-4o-mini');
    const abort = new AbortController();
    const abandoned = generateText({ model, prompt: 'Abandoned', abortSignal: abort.signal }).catch(
      (error: unknown) => error,
    );
    await waitFor(() => (seen.includes(1) ? true : undefined), 'the policy to see the first call queued');
    abort.abort();
    expect(await abandoned).toMatchObject({ name: 'AbortError' });

    const results = await Promise.all(['Kept one', 'Kept two'].map((prompt) => generateText({ model, prompt })));
    expect(results.map((result) => result.text)).toEqual(['Echo: Kept one', 'Echo: Kept two']);
    const [batch] = environment.emulator.record().batches;
    expect(batch.lines.some((line) => JSON.stringify(line.body).includes('Abandoned'))).toBe(false);
    expect(batch.lines).toHaveLength(2);
  });
});
