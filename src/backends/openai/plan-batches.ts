import type { PlanOptions } from '../types.js';
import type { OpenAIBatchGroup, OpenAIBatchRequest } from './openai-types.js';
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
  request: OpenAIBatchRequest;
  /** The request's input line, newline included: serialized once, here, and uploaded as it is. */
  line: string;
  bytes: number;
  embeddingInputs: number;
}

/** The input lines of each planned group, so that submit() uploads what plan() measured without serializing again. */
const plannedLines = new WeakMap<OpenAIBatchGroup, { requests: readonly OpenAIBatchRequest[]; lines: string[] }>();

/** The lines plan() serialized for this very group, or undefined when the group was built or changed elsewhere. */
export function plannedLinesOf(group: OpenAIBatchGroup): string[] | undefined {
  const planned = plannedLines.get(group);
  if (!planned || planned.requests.length !== group.requests.length) return undefined;
  return planned.requests.every((request, index) => request === group.requests[index]) ? planned.lines : undefined;
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
export function planBatches(
  requests: readonly OpenAIBatchRequest[],
  limits: OpenAIBatchLimits,
  options: PlanOptions = {},
): OpenAIBatchGroup[] {
  const effective = {
    ...limits,
    maxRequestsPerBatch: Math.min(limits.maxRequestsPerBatch, options.maxRequestsPerBatch ?? Infinity),
  };
  const buckets = new Map<string, { url: string; model: string; items: SizedRequest[] }>();
  const seenCustomIds = new Set<string>();

  for (const request of requests) {
    const model = checkRequest(request, seenCustomIds);
    const item = sizeRequest(request, limits);
    const key = JSON.stringify([request.payload.url, model]);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { url: request.payload.url, model, items: [] };
      buckets.set(key, bucket);
    }
    bucket.items.push(item);
  }

  const ordered = [...buckets.values()].sort(
    (left, right) => compareText(left.url, right.url) || compareText(left.model, right.model),
  );
  return ordered.flatMap((bucket) => splitAtLimits(bucket.url, bucket.model, bucket.items, effective));
}

function checkRequest(request: OpenAIBatchRequest, seenCustomIds: Set<string>): string {
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
  const payload: unknown = request.payload;
  if (typeof payload !== 'object' || payload === null) {
    throw new BatchPlanError(
      'invalid_request',
      `Request "${customId}" is not an OpenAI request ({ url, body }).`,
      customId,
    );
  }
  const { url, body } = payload as Partial<OpenAIBatchRequest['payload']>;
  if (typeof url !== 'string' || !supportedBatchEndpoints.includes(url)) {
    throw new BatchPlanError(
      'unsupported_endpoint',
      `Request "${customId}" has url ${JSON.stringify(url)}, which the Batch API does not accept; ` +
        `expected one of ${supportedBatchEndpoints.join(', ')}.`,
      customId,
    );
  }
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

function sizeRequest(request: OpenAIBatchRequest, limits: OpenAIBatchLimits): SizedRequest {
  const line = serializeBatchLine(request);
  const bytes = batchLineBytes(line);
  if (bytes > limits.maxBytesPerFile) {
    throw new BatchPlanError(
      'request_too_large',
      `Request "${request.customId}" is ${bytes} bytes as a batch line, more than the ${limits.maxBytesPerFile} ` +
        'bytes allowed for a whole batch input file; it cannot be sent through the Batch API.',
      request.customId,
    );
  }
  const embeddingInputs = request.payload.url === embeddingsEndpoint ? countEmbeddingInputs(request.payload.body) : 0;
  if (embeddingInputs > limits.maxEmbeddingInputsPerBatch) {
    throw new BatchPlanError(
      'request_too_large',
      `Request "${request.customId}" has ${embeddingInputs} embedding inputs, more than the ` +
        `${limits.maxEmbeddingInputsPerBatch} allowed in one batch.`,
      request.customId,
    );
  }
  return { request, line, bytes, embeddingInputs };
}

function splitAtLimits(
  url: string,
  model: string,
  items: SizedRequest[],
  limits: OpenAIBatchLimits,
): OpenAIBatchGroup[] {
  const groups: OpenAIBatchGroup[] = [];
  let current: OpenAIBatchGroup | undefined;
  let lines: string[] = [];
  let currentEmbeddingInputs = 0;
  for (const item of items) {
    const fits =
      current !== undefined &&
      current.requests.length + 1 <= limits.maxRequestsPerBatch &&
      current.bytes + item.bytes <= limits.maxBytesPerFile &&
      currentEmbeddingInputs + item.embeddingInputs <= limits.maxEmbeddingInputsPerBatch;
    if (!fits || current === undefined) {
      current = { label: `${url} ${model}`, url, model, requests: [], bytes: 0 };
      lines = [];
      plannedLines.set(current, { requests: current.requests, lines });
      currentEmbeddingInputs = 0;
      groups.push(current);
    }
    current.requests.push(item.request);
    lines.push(item.line);
    current.bytes += item.bytes;
    currentEmbeddingInputs += item.embeddingInputs;
  }
  return groups;
}

/** Code-unit order, not locale order: the plan must not depend on the machine's locale. */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
