import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';

/** Polls until `check` returns something other than undefined/false/null, or fails after the timeout. */
export async function waitUntil<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  { timeoutMs = 5000, intervalMs = 5, description = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const terminalStatuses = ['completed', 'failed', 'expired', 'cancelled'];

export interface BatchLine {
  custom_id: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

export function chatLine(customId: string, text: string, model = 'gpt-4o-mini'): BatchLine {
  return {
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: text }] },
  };
}

export function toJsonl(lines: unknown[]): string {
  return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
}

export function testClient(baseURL: string, apiKey = 'sk-test'): OpenAI {
  // No retries: tests must see every 500 the emulator injects.
  return new OpenAI({ baseURL, apiKey, maxRetries: 0 });
}

export async function uploadBatchFile(client: OpenAI, lines: unknown[], filename = 'input.jsonl'): Promise<string> {
  const file = await client.files.create({
    file: await toFile(Buffer.from(toJsonl(lines)), filename),
    purpose: 'batch',
  });
  return file.id;
}

export async function submitBatch(
  client: OpenAI,
  lines: unknown[],
  endpoint: '/v1/chat/completions' | '/v1/responses' | '/v1/embeddings' = '/v1/chat/completions',
): Promise<Batch> {
  const inputFileId = await uploadBatchFile(client, lines);
  return client.batches.create({ input_file_id: inputFileId, endpoint, completion_window: '24h' });
}

export function waitForBatch(
  client: OpenAI,
  batchId: string,
  statuses = terminalStatuses,
  timeoutMs = 5000,
): Promise<Batch> {
  return waitUntil(
    async () => {
      const batch = await client.batches.retrieve(batchId);
      return statuses.includes(batch.status) ? batch : undefined;
    },
    { timeoutMs, description: `batch ${batchId} to reach ${statuses.join('/')}` },
  );
}

export async function readJsonl(client: OpenAI, fileId: string): Promise<any[]> {
  const text = await (await client.files.content(fileId)).text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Submits lines and waits until the batch is terminal. */
export async function runBatch(
  client: OpenAI,
  lines: unknown[],
  endpoint?: Parameters<typeof submitBatch>[2],
): Promise<Batch> {
  const created = await submitBatch(client, lines, endpoint);
  return waitForBatch(client, created.id);
}
