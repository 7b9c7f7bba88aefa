import { createOpenAI } from '@ai-sdk/openai';
import { embedMany, generateObject, generateText, Output, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startOpenAIBatchEmulator, type RunningEmulator } from '../../src/testing/index.js';

describe('the official AI SDK provider parses the synchronous endpoints’ answers', () => {
  let emulator: RunningEmulator;
  let openai: ReturnType<typeof createOpenAI>;

  beforeAll(async () => {
    emulator = await startOpenAIBatchEmulator({ apiKey: 'sk-ai' });
    openai = createOpenAI({ baseURL: emulator.baseURL, apiKey: 'sk-ai' });
  });
  afterAll(() => emulator.close());

  const models = () => [
    { api: 'chat completions (.chat)', model: openai.chat('gpt-4o-mini') },
    { api: 'Responses (callable)', model: openai('gpt-4o-mini') },
  ];

  it('generateText: text, usage and finish reason', async () => {
    for (const { api, model } of models()) {
      const result = await generateText({ model, prompt: 'Hello there' });
      expect(result.text, api).toBe('Echo: Hello there');
      expect(result.finishReason, api).toBe('stop');
      expect(result.usage.inputTokens, api).toBeGreaterThan(0);
      expect(result.usage.cachedInputTokens, api).toBe(0);
      expect(result.response.id, api).toMatch(/^(chatcmpl-|resp_)/);
    }
  });

  it('generateText with a tool: one call with valid input, then text that mentions the result', async () => {
    const inputSchema = z.object({ city: z.string(), days: z.number().int().min(1).max(7), unit: z.enum(['c', 'f']) });
    for (const { api, model } of models()) {
      const result = await generateText({
        model,
        prompt: 'Weather in Paris?',
        stopWhen: stepCountIs(3),
        tools: {
          weather: tool({
            description: 'Forecast',
            inputSchema,
            execute: async ({ city }) => ({ city, temperature: 21 }),
          }),
        },
      });
      expect(result.steps, api).toHaveLength(2);
      expect(result.steps[0].finishReason, api).toBe('tool-calls');
      expect(inputSchema.safeParse(result.steps[0].toolCalls[0].input).success, api).toBe(true);
      // The city is the one the prompt names, and the answer reads the tool's result out.
      const input = result.steps[0].toolCalls[0].input as z.infer<typeof inputSchema>;
      expect(input.city, api).toBe('Paris');
      expect(result.text, api).toBe(
        `According to weather (${Object.values(input).join(', ')}): the city is Paris and the temperature is 21.`,
      );
    }
  });

  it('structured output: generateObject and Output.object with a zod schema', async () => {
    const schema = z.object({
      name: z.string(),
      age: z.number().int().positive(),
      email: z.email(),
      kind: z.enum(['a', 'b']),
      items: z.array(z.object({ done: z.boolean() })),
    });
    for (const { api, model } of models()) {
      const { object } = await generateObject({ model, schema, prompt: 'Make a person' });
      expect(schema.safeParse(object).success, api).toBe(true);
      const { output } = await generateText({ model, output: Output.object({ schema }), prompt: 'Make another' });
      expect(schema.safeParse(output).success, api).toBe(true);
    }
  });

  it('embedMany with .embedding()', async () => {
    const { embeddings, usage } = await embedMany({
      model: openai.embedding('text-embedding-3-small'),
      values: ['sun', 'moon', 'sun'],
    });
    expect(embeddings).toHaveLength(3);
    expect(embeddings[0]).toHaveLength(1536);
    expect(embeddings[2]).toEqual(embeddings[0]);
    expect(usage.tokens).toBeGreaterThan(0);
  });
});
