import type OpenAI from 'openai';
import type { Batch } from 'openai/resources/batches';
import type { ListedBatch, ListRecentOptions, RecentBatches } from '../types.js';
import { terminalBatchStatuses } from './openai-types.js';
import { readLines } from './parse-batch-output.js';

/** OpenAI's largest page of `GET /v1/batches`. */
const pageSize = 100;

type Call = <T>(operation: 'listBatches' | 'retrieveBatch' | 'fileContent', run: () => Promise<T>) => Promise<T>;

/**
 * Lists the newest batches (`GET /v1/batches`, newest first, `after` / `limit`) until one is older than `since`, or a
 * cap is reached: `maxPages` API calls, `maxBatches` batches looked at. Keeps those whose metadata holds every pair
 * of `options.metadata`. Each page is one call through the backend's retry loop (backoff, a cap on attempts).
 */
export async function listRecentBatches(
  client: OpenAI,
  call: Call,
  options: ListRecentOptions,
  requestOptions: { maxRetries: 0 },
): Promise<RecentBatches> {
  const oldest = options.since / 1000;
  const batches: ListedBatch[] = [];
  let after: string | undefined;
  let pages = 0;
  let scanned = 0;
  while (pages < options.maxPages && scanned < options.maxBatches) {
    const limit = Math.min(pageSize, options.maxBatches - scanned);
    const page = await call('listBatches', () =>
      client.batches.list(after === undefined ? { limit } : { limit, after }, requestOptions),
    );
    pages += 1;
    for (const batch of page.data) {
      if (batch.created_at < oldest) return { batches, pages, scanned, complete: true };
      scanned += 1;
      if (matches(batch, options.metadata)) batches.push(listed(client, batch));
    }
    if (!page.has_more || page.data.length === 0) return { batches, pages, scanned, complete: true };
    after = page.data.at(-1)!.id;
  }
  return { batches, pages, scanned, complete: false };
}

function matches(batch: Batch, wanted: Record<string, string>): boolean {
  const metadata = (batch.metadata ?? {}) as Record<string, string>;
  return Object.entries(wanted).every(([key, value]) => metadata[key] === value);
}

function listed(client: OpenAI, batch: Batch): ListedBatch {
  const counts = batch.request_counts;
  return {
    batchId: batch.id,
    status: batch.status,
    terminal: terminalBatchStatuses.includes(batch.status),
    createdAt: batch.created_at * 1000,
    metadata: { ...((batch.metadata ?? {}) as Record<string, string>) },
    label: batch.model ? `${batch.endpoint} ${batch.model}` : batch.endpoint,
    ...(counts ? { requestCounts: { total: counts.total, completed: counts.completed, failed: counts.failed } } : {}),
    cancelCommand: `curl -sS -X POST ${client.baseURL.replace(/\/+$/, '')}/batches/${batch.id}/cancel -H "Authorization: Bearer $OPENAI_API_KEY"`,
  };
}

/** The custom ids of a batch's input file, in line order: one retrieve and one download. */
export async function customIdsOfBatch(
  client: OpenAI,
  call: Call,
  batchId: string,
  requestOptions: { maxRetries: 0 },
): Promise<string[]> {
  const batch = await call('retrieveBatch', () => client.batches.retrieve(batchId, requestOptions));
  return call('fileContent', async () => {
    const response = await client.files.content(batch.input_file_id, requestOptions);
    const customIds: string[] = [];
    const body = response.body ?? (async function* () {})();
    for await (const { text } of readLines(body)) {
      // Only the custom id is wanted: a line that cannot be read names no request of ours.
      try {
        const customId = (JSON.parse(text) as { custom_id?: unknown }).custom_id;
        if (typeof customId === 'string') customIds.push(customId);
      } catch {
        // skipped
      }
    }
    return customIds;
  });
}
