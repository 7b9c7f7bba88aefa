import type { JsonObject } from '../types.js';
import type { BatchState, LineResult } from './batch-state.js';
import { isSuccess } from './batch-execution.js';

interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Token usage of a successful line, whichever endpoint's usage shape its body has. */
function addUsage(total: Usage, result: LineResult): void {
  const usage = (result.body as { usage?: JsonObject } | null)?.usage;
  if (!usage || !isSuccess(result.statusCode)) return;
  const input = usage.input_tokens ?? usage.prompt_tokens ?? 0;
  const output = usage.output_tokens ?? usage.completion_tokens ?? 0;
  total.input_tokens += input;
  total.output_tokens += output;
  total.total_tokens += input + output;
  total.input_tokens_details.cached_tokens +=
    usage.input_tokens_details?.cached_tokens ?? usage.prompt_tokens_details?.cached_tokens ?? 0;
  total.output_tokens_details.reasoning_tokens +=
    usage.output_tokens_details?.reasoning_tokens ?? usage.completion_tokens_details?.reasoning_tokens ?? 0;
}

export function requestCounts(batch: BatchState): { total: number; completed: number; failed: number } {
  const done = batch.results.slice(0, batch.doneCount);
  const completed = done.filter((result) => isSuccess(result.statusCode)).length;
  return { total: batch.processingOrder.length, completed, failed: done.length - completed };
}

/** The public Batch object. `model` appears once validation has found it, like `usage` it is not nullable. */
export function batchObject(batch: BatchState): Record<string, unknown> {
  const usage: Usage = {
    input_tokens: 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 0,
  };
  for (const result of batch.results.slice(0, batch.doneCount)) addUsage(usage, result);
  const model = batch.status === 'validating' || batch.errors !== null ? null : batch.validation.model;
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.endpoint,
    ...(model === null ? {} : { model }),
    errors: batch.errors === null ? null : { object: 'list', data: batch.errors },
    input_file_id: batch.inputFileId,
    completion_window: batch.completionWindow,
    status: batch.status,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    ...batch.timestamps,
    request_counts: requestCounts(batch),
    usage,
    metadata: batch.metadata,
  };
}
