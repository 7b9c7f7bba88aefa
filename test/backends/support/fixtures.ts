import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBatchOutput, type BatchOutputLine } from '../../../src/backends/openai/parse-batch-output.js';
import type { OpenAIBatchRequest as BatchRequest } from '../../../src/backends/openai/index.js';

const fixturesFolder = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(`${fixturesFolder}${name}`, 'utf8');
}

export function fixtureJson<T = any>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** Feeds text as bytes in chunks of `size`, so line and character boundaries fall inside chunks. */
export async function* inChunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

export async function parsedFixture(name: string): Promise<BatchOutputLine[]> {
  const lines: BatchOutputLine[] = [];
  for await (const line of parseBatchOutput(inChunks(fixtureText(name), 97), name)) lines.push(line);
  return lines;
}

export function chatRequest(
  customId: string,
  model = 'gpt-4o-mini',
  content = `Say hello to ${customId}.`,
): BatchRequest {
  return {
    customId,
    payload: { url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }], temperature: 0 } },
  };
}

export function embeddingRequest(customId: string, input: unknown, model = 'text-embedding-3-small'): BatchRequest {
  return { customId, payload: { url: '/v1/embeddings', body: { model, input } } };
}
