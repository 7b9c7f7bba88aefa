import { APICallError } from '@ai-sdk/provider';
import { embed, embedMany, generateText, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BridgeUsageError } from '../../src/index.js';
import { startLocalEnvironment, testApiKey, type LocalEnvironment } from './support/local-environment.js';

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await environment?.close();
  environment = undefined;
});

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, forecast: `sunny in ${city}` }),
});

describe('local mode: streams, tools, embeddings and errors', () => {
  it('simulates streamText from the batch result: text, finish with usage, and a tool loop', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider().chat('gpt-4o-mini');

    const result = streamText({ model, prompt: 'Stream this please' });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    expect(streamed).toBe('Echo: Stream this please');
    expect((await result.usage).totalTokens).toBeGreaterThan(0);
    expect(await result.finishReason).toBe('stop');
    expect((await result.providerMetadata)?.batchBridge).toMatchObject({ mode: 'local', fromCache: false });

    const withTools = streamText({
      model,
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    const kinds: string[] = [];
    for await (const part of withTools.fullStream) kinds.push(part.type);
    expect(kinds).toContain('tool-call');
    expect(kinds).toContain('tool-result');
    expect(await withTools.text).toContain('sunny in');
    expect(environment.emulator.record().batches).toHaveLength(3);
  });

  it('fails a line answered with 400 as a non-retryable APICallError; the rest of its batch succeeds', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider().chat('gpt-4o-mini');
    const prompts = ['Fine one', 'Broken [[fault:status=400]]', 'Fine two'];
    const settled = await Promise.allSettled(prompts.map((prompt) => generateText({ model, prompt })));

    expect(settled.map((each) => each.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (settled[1] as PromiseRejectedResult).reason;
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, isRetryable: false });
    expect(error.message).toMatch(/batch batch_/);
    expect(environment.emulator.record().batches).toHaveLength(1);

    // Errors are not kept: the next call asks again (the answers are, so only the broken line goes out).
    await Promise.allSettled(prompts.map((prompt) => generateText({ model, prompt })));
    const batches = environment.emulator.record().batches;
    expect(batches).toHaveLength(2);
    expect(batches[1].lines.map((line) => JSON.stringify(line.body))).toEqual([expect.stringContaining('Broken')]);
  });

  it('resubmits a line that failed with a retryable 500, and answers it on the second attempt', async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider().chat('gpt-4o-mini');
    const result = await generateText({ model, prompt: 'Flaky [[fault:status=500,times=1]]' });
    expect(result.text).toBe('Echo: Flaky [[fault:status=500,times=1]]');
    expect(result.providerMetadata?.batchBridge).toMatchObject({ attempts: 2 });
    const customIds = [...environment.emulator.submittedCounts().keys()];
    expect(customIds).toHaveLength(2);
    expect(customIds.map((id) => id.slice(-2)).sort()).toEqual(['-1', '-2']);
  });

  it('embeds with embedMany and with parallel embed calls (one batch), with the synchronous endpoint’s vectors', async () => {
    environment = await startLocalEnvironment();
    const values = ['first value', 'second value', 'third value'];
    const model = environment.provider().embedding('text-embedding-3-small');
    const { embeddings } = await embedMany({ model, values });
    const direct = await new OpenAI({ baseURL: environment.emulator.baseURL, apiKey: testApiKey }).embeddings.create({
      model: 'text-embedding-3-small',
      input: values,
      encoding_format: 'float',
    });
    expect(embeddings).toEqual(direct.data.map((item) => item.embedding));

    const singles = await Promise.all(values.map((value) => embed({ model, value: `${value} alone` })));
    expect(singles.every(({ embedding }) => embedding.length === 1536)).toBe(true);
    expect(environment.emulator.record().batches.map((batch) => batch.lines.length)).toEqual([1, 3]);
  });

  it("refuses mode: 'bridge' outside a server run with a clear error, and submits nothing", async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider({ mode: 'bridge' }).chat('gpt-4o-mini');
    const error = await generateText({ model, prompt: 'Hello' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BridgeUsageError);
    expect((error as Error).message).toMatch(/mode: 'bridge'.*outside such a run/);
    expect(environment.emulator.record().calls).toEqual({});
  });

  it("fails streamText with mode: 'bridge' outside a server run with that error, for every reader, not 'No output generated'", async () => {
    environment = await startLocalEnvironment();
    const model = environment.provider({ mode: 'bridge' }).chat('gpt-4o-mini');
    const awaited = await Promise.resolve(streamText({ model, prompt: 'Hello', onError: () => undefined }).text).catch(
      (caught: unknown) => caught,
    );
    expect(awaited).toBeInstanceOf(BridgeUsageError);
    expect((awaited as Error).message).toMatch(/mode: 'bridge'.*outside such a run/);
    const read = async () => {
      for await (const delta of streamText({ model, prompt: 'Hello', onError: () => undefined }).textStream) void delta;
    };
    await expect(read()).rejects.toThrow(/mode: 'bridge'.*outside such a run/);
    expect(environment.emulator.record().calls).toEqual({});
  });

  it('answers a model id OpenAI does not have (a typo) with the API’s 404 model_not_found, as an APICallError', async () => {
    environment = await startLocalEnvironment();
    const error = await generateText({
      model: environment.provider().chat('gpt-4o-mnii'),
      prompt: 'Hello',
    }).catch((caught: unknown) => caught);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404, isRetryable: false });
    expect((error as APICallError).message).toContain('gpt-4o-mnii');
    expect((error as APICallError).responseBody).toContain('model_not_found');
    // Submitted once: a 404 is final, never retried.
    expect(environment.emulator.record().batches).toHaveLength(1);
  });
});
