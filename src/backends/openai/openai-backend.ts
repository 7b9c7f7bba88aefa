import { createHash } from 'node:crypto';
import { NotFoundError, toFile, type OpenAI } from 'openai';
import type { Batch, BatchCreateParams } from 'openai/resources/batches';
import type { BatchBackend, BatchPoll, ListRecentOptions, PlanOptions, RecentBatches } from '../types.js';
import { buildBatchMetadata } from './batch-metadata.js';
import { outcomesForFailedBatch, type BatchErrorData } from './classify-outcome.js';
import { collectFileOutcomes, mergeOutcomes, type FileOutcomes } from './collect-outcomes.js';
import { BatchApiError, BatchOutputUnavailableError, BatchPlanError, type BatchApiOperation } from './errors.js';
import { parseBatchOutput } from './parse-batch-output.js';
import { findSubmittedBatch } from './find-submitted-batch.js';
import { customIdsOfBatch, listRecentBatches } from './list-recent-batches.js';
import {
  terminalBatchStatuses,
  type OpenAIBatchGroup,
  type OpenAIBatchRequest,
  type OpenAIPayload,
  type OpenAISubmittedBatch,
} from './openai-types.js';
import { planBatches, plannedLinesOf } from './plan-batches.js';
import { serializeBatchInput } from './serialize-batch-input.js';
import { resolveOpenAIBackendSettings, type OpenAIBackendSettings, type OpenAIBatchLimits } from './settings.js';
import { callWithRetry } from './with-retry.js';

/** A poll with what the OpenAI backend can say beyond the Backend contract. */
export interface OpenAIBatchPoll extends BatchPoll {
  batchId: string;
  /** Lines in the output or error file whose custom_id was not submitted; they were ignored. */
  unknownCustomIds?: number;
  /** Lines repeating a custom_id; the success (or else the first line) was kept. */
  duplicateLines?: number;
  /** `errors.data` of a failed batch, as OpenAI returned it. */
  batchErrors?: BatchErrorData[];
}

export interface OpenAIBackend extends BatchBackend<OpenAIPayload> {
  readonly limits: Readonly<OpenAIBatchLimits>;
  plan(requests: OpenAIBatchRequest[], options?: PlanOptions): OpenAIBatchGroup[];
  submit(group: OpenAIBatchGroup, options?: { metadata?: Record<string, string> }): Promise<OpenAISubmittedBatch>;
  poll(batch: { batchId: string; customIds: string[] }): Promise<OpenAIBatchPoll>;
  cancel(batchId: string): Promise<void>;
  findSubmitted(submissionTag: string, since: number): Promise<string | null>;
  listRecent(options: ListRecentOptions): Promise<RecentBatches>;
  customIdsOf(batchId: string): Promise<string[]>;
}

/** Our own retry loop is the only one: a client passed in may have its own `maxRetries`, which is switched off. */
const requestOptions = { maxRetries: 0 } as const;

/** How many recent batches to look through for one an earlier, seemingly failed, create call made after all. */
const recentBatchesChecked = 100;

export function createOpenAIBackend(settings: OpenAIBackendSettings = {}): OpenAIBackend {
  const resolved = resolveOpenAIBackendSettings(settings);
  const { client, limits, retry } = resolved;
  const secrets = [resolved.apiKey];
  const call = <T>(operation: BatchApiOperation, run: (attempt: number) => Promise<T>) =>
    callWithRetry(operation, retry, secrets, run);

  async function submit(
    group: OpenAIBatchGroup,
    options?: { metadata?: Record<string, string> },
  ): Promise<OpenAISubmittedBatch> {
    // A group straight from plan() is uploaded as plan() serialized it; any other is planned again to be checked.
    const lines = plannedLinesOf(group);
    const bytes = lines ? group.bytes : checkGroup(group, limits);
    const metadata = buildBatchMetadata(resolved.metadata, options?.metadata);
    const content = serializeBatchInput(group.requests, bytes, lines);
    const filename = inputFilename(group, content);
    const file = await call('upload', async () =>
      client.files.create({ file: await toFile(content, filename), purpose: 'batch' }, requestOptions),
    );

    let batch: Batch;
    try {
      batch = await call('createBatch', async (attempt) => {
        // A create that timed out or got a 5xx may have created the batch anyway; a second one would submit every
        // request twice.
        const earlier = attempt > 1 ? await findBatchForInputFile(client, file.id) : undefined;
        return (
          earlier ??
          client.batches.create(
            {
              input_file_id: file.id,
              endpoint: group.url as BatchCreateParams['endpoint'],
              completion_window: resolved.completionWindow,
              metadata,
            },
            requestOptions,
          )
        );
      });
    } catch (error) {
      throw await withUploadCleanup(client, error, file.id);
    }

    return {
      batchId: batch.id,
      inputFileId: file.id,
      url: group.url,
      model: group.model,
      customIds: group.requests.map((request) => request.customId),
      submittedAt: Date.now(),
    };
  }

  async function poll(batch: { batchId: string; customIds: string[] }): Promise<OpenAIBatchPoll> {
    const { batchId, customIds } = batch;
    const current = await call('retrieveBatch', () => client.batches.retrieve(batchId, requestOptions));
    const status = current.status;
    const requestCounts = {
      total: current.request_counts?.total ?? 0,
      completed: current.request_counts?.completed ?? 0,
      failed: current.request_counts?.failed ?? 0,
    };
    if (!terminalBatchStatuses.includes(status)) return { batchId, status, terminal: false, requestCounts };

    if (status === 'failed') {
      const batchErrors: BatchErrorData[] = current.errors?.data ?? [];
      const outcomes = outcomesForFailedBatch(customIds, batchErrors);
      return { batchId, status, terminal: true, requestCounts, outcomes, batchErrors };
    }

    const submitted = new Set(customIds);
    const files: FileOutcomes[] = [];
    for (const fileId of [current.output_file_id, current.error_file_id]) {
      if (fileId) files.push(await readFileOutcomes(batchId, fileId, submitted));
    }
    const { outcomes, unknownCustomIds, duplicateLines } = mergeOutcomes(customIds, status, files);
    return { batchId, status, terminal: true, requestCounts, outcomes, unknownCustomIds, duplicateLines };
  }

  /** The whole file is read again on a retry, so a download cut halfway never leaves half the outcomes. */
  function readFileOutcomes(batchId: string, fileId: string, submitted: ReadonlySet<string>): Promise<FileOutcomes> {
    return call('fileContent', async () => {
      let response: Response;
      try {
        response = await client.files.content(fileId, requestOptions);
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw new BatchOutputUnavailableError({
            batchId,
            fileId,
            status: 404,
            message:
              `Batch ${batchId} is terminal but its file ${fileId} cannot be downloaded (HTTP 404); ` +
              'poll again later.',
          });
        }
        throw error;
      }
      const body = response.body ?? emptyBody();
      return collectFileOutcomes(parseBatchOutput(body, fileId, { malformed: 'as_error' }), submitted);
    });
  }

  async function cancel(batchId: string): Promise<void> {
    try {
      await call('cancelBatch', () => client.batches.cancel(batchId, requestOptions));
    } catch (error) {
      // Cancelling a batch that is already cancelling or over is refused with a 4xx; the wish is fulfilled anyway.
      if (error instanceof BatchApiError && error.status !== undefined && error.status >= 400 && error.status < 500) {
        const current = await call('retrieveBatch', () => client.batches.retrieve(batchId, requestOptions));
        if (current.status === 'cancelling' || terminalBatchStatuses.includes(current.status)) return;
      }
      throw error;
    }
  }

  return {
    limits: Object.freeze({ ...limits }),
    plan: (requests, options) => planBatches(requests, limits, options),
    submit,
    poll,
    cancel,
    findSubmitted: (submissionTag, since) => findSubmittedBatch(client, submissionTag, since),
    listRecent: (options) => listRecentBatches(client, call, options, requestOptions),
    customIdsOf: (batchId) => customIdsOfBatch(client, call, batchId, requestOptions),
  };
}

/**
 * A group may have been built or changed by the caller since plan(): planning it again must give back exactly this
 * one group, which also re-checks unique custom ids and the limits. Returns the group's size in bytes.
 */
function checkGroup(group: OpenAIBatchGroup, limits: OpenAIBatchLimits): number {
  if (!group || !Array.isArray(group.requests) || group.requests.length === 0) {
    throw new BatchPlanError('group_mismatch', 'A batch group needs at least one request.');
  }
  const replanned = planBatches(group.requests, limits);
  const only = replanned[0];
  if (replanned.length !== 1 || only.url !== group.url || only.model !== group.model) {
    const planned = replanned.map((each) => `${each.url} ${each.model}`).join(', ');
    throw new BatchPlanError(
      'group_mismatch',
      `The group for ${group.url} ${group.model} does not fit in one batch as given (it plans into ` +
        `${replanned.length} group(s): ${planned}); submit the groups plan() returns.`,
    );
  }
  if (only.bytes !== group.bytes) {
    throw new BatchPlanError(
      'group_mismatch',
      `The group's requests serialize to ${only.bytes} bytes, not the ${group.bytes} it claims; ` +
        'were they changed after plan()?',
    );
  }
  return only.bytes;
}

/** A name that says what the file is in the dashboard; the content hash tells identical uploads apart from others. */
function inputFilename(group: OpenAIBatchGroup, content: Buffer): string {
  const slug = (text: string) => text.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
  const digest = createHash('sha256').update(content).digest('hex').slice(0, 16);
  return `batch-bridge-${slug(group.url)}-${slug(group.model)}-${digest}.jsonl`;
}

async function findBatchForInputFile(client: OpenAI, inputFileId: string): Promise<Batch | undefined> {
  const page = await client.batches.list({ limit: recentBatchesChecked }, requestOptions);
  return page.data.find((batch) => batch.input_file_id === inputFileId);
}

/** Best effort: an input file nobody will use is deleted, and the error says whether that worked. */
async function withUploadCleanup(client: OpenAI, error: unknown, fileId: string): Promise<unknown> {
  let note: string;
  try {
    await client.files.delete(fileId, requestOptions);
    note = `the uploaded input file ${fileId} was deleted`;
  } catch {
    note = `the uploaded input file ${fileId} could not be deleted`;
  }
  if (!(error instanceof BatchApiError)) return error;
  return new BatchApiError({
    operation: error.operation,
    status: error.status,
    retryable: error.retryable,
    attempts: error.attempts,
    code: error.code,
    retryAfterMs: error.retryAfterMs,
    message: `${error.message} (${note})`,
  });
}

function emptyBody(): AsyncIterable<Uint8Array> {
  return (async function* () {})();
}
