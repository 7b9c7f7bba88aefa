import { generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalEnvironment, type LocalEnvironment } from './support/local-environment.js';

/**
 * Behaviours the local mode once lacked and now has because it drives the same core as the bridge: a batch whose
 * results cannot be read is given up after `maxPollFailures` polls, and a batch over the token limit is halved.
 */
let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await environment?.close();
  environment = undefined;
});

describe('local mode decides as the bridge does', () => {
  it('gives up on a batch whose output file stays missing after maxPollFailures polls, and submits its requests again', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider({ local: { maxPollFailures: 3 } }).chat('gpt-4o-mini');
    const prompts = [
      'One [[fault:batch=output_file_missing,times=1]]',
      'Two [[fault:batch=output_file_missing,times=1]]',
    ];
    const results = await Promise.all(prompts.map((prompt) => generateText({ model, prompt })));

    expect(results.map((result) => result.text)).toEqual(prompts.map((prompt) => `Echo: ${prompt}`));
    expect(results.map((result) => result.providerMetadata?.batchBridge?.attempts)).toEqual([2, 2]);
    const batches = environment.emulator.record().batches;
    expect(batches.map((batch) => batch.lines.length)).toEqual([2, 2]);
    expect(environment.lines.some((line) => line.includes('after 3 failed polls'))).toBe(true);
  });

  it('halves the batch after token_limit_exceeded and waits out the backoff before the next attempt', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider({ local: { backoffMs: 50 } }).chat('gpt-4o-mini');
    const prompts = Array.from(
      { length: 4 },
      (_, index) => `Prompt ${index} [[fault:batch=token_limit_exceeded,times=1]]`,
    );
    const results = await Promise.all(prompts.map((prompt) => generateText({ model, prompt })));

    expect(results.map((result) => result.text)).toEqual(prompts.map((prompt) => `Echo: ${prompt}`));
    const batches = environment.emulator.record().batches;
    expect(batches.map((batch) => batch.lines.length)).toEqual([4, 2, 2]);
    expect(batches[1].createdAt - batches[0].createdAt).toBeGreaterThanOrEqual(50);
  });
});
