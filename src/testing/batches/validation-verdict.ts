import { allText, estimateTokens } from '../responder/conversation-text.js';
import type { EnqueuedTokenLimit } from '../types.js';
import type { BatchState } from './batch-state.js';
import type { BatchErrorEntry, BatchInputLine } from './input-validation.js';

/** The estimate the enqueued-token limit is checked against: the responder's four characters per token, per line. */
export function estimateInputTokens(lines: readonly BatchInputLine[]): number {
  return lines.reduce((total, line) => total + estimateTokens(allText(line.body)), 0);
}

/** The limit for a model: one number for all, or the model's own entry (none: unlimited). */
export function enqueuedTokenLimitFor(limit: EnqueuedTokenLimit | undefined, model: string | null): number | undefined {
  if (limit === undefined || typeof limit === 'number') return limit;
  return model === null ? undefined : limit[model];
}

/** Worded as OpenAI's own `token_limit_exceeded` entry, so code that reads the message sees the model named. */
export function tokenLimitError(model: string | null, limit = 2_000_000): BatchErrorEntry {
  return {
    code: 'token_limit_exceeded',
    message: `Enqueued token limit reached for ${model} in organization org-emulator. Limit: ${limit.toLocaleString('en-US')} enqueued tokens. Please try submitting fewer tokens or wait for existing batches to complete.`,
    param: null,
    line: null,
  };
}

/**
 * The `errors.data` an injected validation fault gives: one entry naming no line (`failValidation: true`, the
 * `batch=fail_validation` marker), or one per failing line, numbered as in the uploaded file, so that a client can
 * map each back to its request. Empty when no such fault applies.
 */
export function injectedValidationErrors(batch: BatchState): BatchErrorEntry[] {
  const { faults, validation } = batch;
  if (faults.failValidation) {
    return [
      { code: 'invalid_request', message: 'Injected fault: this batch failed validation.', param: null, line: null },
    ];
  }
  const lines = new Set(faults.failValidationLines);
  batch.lineMarkers.forEach((markers, index) => {
    if (markers.some((marker) => faults.failValidationMarkers.has(marker.text)))
      lines.add(validation.lineNumbers[index]);
  });
  return [...lines]
    .sort((left, right) => left - right)
    .map((line) => ({
      code: 'invalid_request',
      message: 'Injected fault: this line failed validation.',
      param: null,
      line,
    }));
}
