import { z } from 'zod';
import { invalidRequest, parseInput } from '../api-error.js';
import { createRandom, hashString } from '../random.js';
import { estimateTokens } from './conversation-text.js';
import { contentWords, stem } from './words.js';

/** OpenAI's per-request cap on inputs. */
const maximumInputsPerRequest = 2048;

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(maximumInputsPerRequest),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1).max(maximumInputsPerRequest),
  ]),
  dimensions: z.number().int().min(1).max(3072).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
});

type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

/** Each input as text; token arrays hash by their ids, which is all a deterministic vector needs. */
function inputTexts(input: EmbeddingsRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.every((item) => typeof item === 'number')) return [(input as number[]).join(' ')];
  return (input as Array<string | number[]>).map((item) => (typeof item === 'string' ? item : item.join(' ')));
}

function defaultDimensions(model: string): number {
  return model.includes('large') ? 3072 : 1536;
}

/** How much of a vector is the text's own seeded noise: enough to tell apart texts with the same words, no more. */
const noiseWeight = 0.05;

/**
 * A unit vector from the text alone, so that the same text always embeds to the same vector and texts that share
 * words are near each other: each content word (stemmed: "billed" and "billing" meet) adds ±1 to a dimension picked
 * by its hash (feature hashing), plus a little noise seeded by the whole text. The cosine of two vectors then grows
 * with the words the texts share; texts with no word in common are near orthogonal.
 */
export function unitVector(text: string, dimensions: number): number[] {
  const values = new Array<number>(dimensions).fill(0);
  for (const word of contentWords(text)) {
    const hash = hashString(stem(word));
    values[hash % dimensions] += hash >>> 31 === 1 ? -1 : 1;
  }
  const random = createRandom(hashString(text));
  const noise = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const noiseNorm = Math.sqrt(noise.reduce((sum, value) => sum + value * value, 0)) || 1;
  const mixed = values.map((value, index) => value + (noiseWeight * noise[index]) / noiseNorm);
  const norm = Math.sqrt(mixed.reduce((sum, value) => sum + value * value, 0)) || 1;
  return mixed.map((value) => value / norm);
}

function encoded(vector: number[], format: EmbeddingsRequest['encoding_format']): number[] | string {
  if (format !== 'base64') return vector;
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** An embeddings `list` for an embeddings request body. */
export function respondToEmbeddings(body: Record<string, unknown>): Record<string, unknown> {
  const request = parseInput(embeddingsRequestSchema, body);
  if (request.dimensions !== undefined && request.model === 'text-embedding-ada-002') {
    throw invalidRequest('This model does not support specifying dimensions.', 'dimensions');
  }
  const dimensions = request.dimensions ?? defaultDimensions(request.model);
  const texts = inputTexts(request.input);
  const promptTokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  return {
    object: 'list',
    data: texts.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: encoded(unitVector(text, dimensions), request.encoding_format),
    })),
    model: request.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
