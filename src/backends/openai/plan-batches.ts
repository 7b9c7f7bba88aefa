import type { BatchGroup, BatchRequest } from '../types.js';
import { BatchPlanError } from './errors.js';
import { batchLineBytes, serializeBatchLine } from './serialize-batch-input.js';
import type { OpenAIBatchLimits } from './settings.js';

/** Endpoints the Batch API accepts (CreateBatchRequest.endpoint in the OpenAPI spec). */
export const supportedBatchEndpoints: readonly string[] = [
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
];

const embeddingsEndpoint = '/v1/embeddings';

interface SizedRequest {
  request: BatchRequest;
  bytes: number;
  embeddingInputs: number;
}

/**
 * How many embedding inputs one request carries, as OpenAI counts them against the per-batch limit: a string is one
 * input, an array of token ids is one (pre-tokenized) input, any other array is one input per element.
 */
export function countEmbeddingInputs(body: Record<string, unknown>): number {
  const input = body.input;
  if (!Array.isArray(input)) return 1;
  if (input.length > 0 && input.every((item) => typeof item === 'number')) return 1;
  return input.length;
}

/**
 * Groups requests by (endpoint, model) and splits each group where the next request would break a limit.
 * Groups come out sorted by endpoint then model, each keeping the input order of its requests, so the same requests
 * always give the same batches.
 */
export function planBatches(requests: readonly BatchRequest[], limits: OpenAIBatchLimits): BatchGroup[] {
  const buckets = new Map<string, { url: string; model: string; items: SizedRequest[] }>();
  const seenCustomIds = new Set<string>();

  for (const request of requests) {
    const model = checkRequest(request, seenCustomIds);
    const item = sizeRequest(request, limits);
    const key = JSON.stringify([request.url, model]);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { url: request.url, model, items: [] };
      buckets.set(key, bucket);
    }
    bucket.items.push(item);
  }

  const ordered = [...buckets.values()].sort(
    (left, right) => compareText(left.url, right.url) || compareText(left.model, right.model),
  );
  return ordered.flatMap((bucket) => splitAtLimits(bucket.url, bucket.model, bucket.items, limits));
}

function checkRequest(request: BatchRequest, seenCustomIds: Set<string>): string {
  const customId: unknown = request?.customId;
  if (typeof customId !== 'string' || customId.length === 0) {
    throw new BatchPlanError('invalid_request', 'Every request needs a non-empty string customId.');
  }
  if (seenCustomIds.has(customId)) {
    throw new BatchPlanError(
      'duplicate_custom_id',
      `Request customId "${customId}" appears more than once; results are matched by customId, so it must be unique.`,
      customId,
    );
  }
  seenCustomIds.add(customId);
  if (typeof request.url !== 'string' || !supportedBatchEndpoints.includes(request.url)) {
    throw new BatchPlanError(
      'unsupported_endpoint',
      `Request "${customId}" has url ${JSON.stringify(request.url)}, which the Batch API does not accept; ` +
        `expected one of ${supportedBatchEndpoints.join(', ')}.`,
      customId,
    );
  }
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BatchPlanError('invalid_request', `Request "${customId}" needs a JSON object body.`, customId);
  }
  const model = (body as Record<string, unknown>).model;
  if (typeof model !== 'string' || model.length === 0) {
    throw new BatchPlanError(
      'missing_model',
      `Request "${customId}" has no body.model; a batch holds one model, so every request must name it.`,
      customId,
    );
  }
  return model;
}

function sizeRequest(request: BatchRequest, limits: OpenAIBatchLimits): SizedRequest {
  const bytes = batchLineBytes(serializeBatchLine(request));
  if (bytes > limits.maxBytesPerFile) {
    throw new BatchPlanError(
      'request_too_large',
      `Request "${request.customId}" is ${bytes} bytes as a batch line, more than the ${limits.maxBytesPerFile} ` +
        'bytes allowed for a whole batch input file; it cannot be sent through the Batch API.',
      request.customId,
    );
  }
  const embeddingInputs = request.url === embeddingsEndpoint ? countEmbeddingInputs(request.body) : 0;
  if (embeddingInputs > limits.maxEmbeddingInputsPerBatch) {
    throw new BatchPlanError(
      'request_too_large',
      `Request "${request.customId}" has ${embeddingInputs} embedding inputs, more than the ` +
        `${limits.maxEmbeddingInputsPerBatch} allowed in one batch.`,
      request.customId,
    );
  }
  return { request, bytes, embeddingInputs };
}

function splitAtLimits(url: string, model: string, items: SizedRequest[], limits: OpenAIBatchLimits): BatchGroup[] {
  const groups: BatchGroup[] = [];
  let current: BatchGroup | undefined;
  let currentEmbeddingInputs = 0;
  for (const item of items) {
    const fits =
      current !== undefined &&
      current.requests.length + 1 <= limits.maxRequestsPerBatch &&
      current.bytes + item.bytes <= limits.maxBytesPerFile &&
      currentEmbeddingInputs + item.embeddingInputs <= limits.maxEmbeddingInputsPerBatch;
    if (!fits || current === undefined) {
      current = { url, model, requests: [], bytes: 0 };
      currentEmbeddingInputs = 0;
      groups.push(current);
    }
    current.requests.push(item.request);
    current.bytes += item.bytes;
    currentEmbeddingInputs += item.embeddingInputs;
  }
  return groups;
}

/** Code-unit order, not locale order: the plan must not depend on the machine's locale. */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
