import { APICallError } from '@ai-sdk/provider';
import type { DeliveredOutcome } from '../core/index.js';
import type { OpenAIPayload } from '../backends/openai/index.js';
import type { RoutedOutcome } from './outcome-route.js';

/**
 * A request that ended in an error becomes the error `openai(...)` would have thrown for it, but never retryable:
 * generateText would otherwise retry by calling the model again, which here means waiting for the same result.
 */
export function outcomeError(
  delivered: DeliveredOutcome,
  request: OpenAIPayload,
  baseURL: string | undefined,
): APICallError {
  const outcome = delivered.outcome;
  if (outcome.type === 'success') throw new Error('outcomeError called for a successful outcome');
  const apiMessage = (outcome.body as { error?: { message?: string } } | undefined)?.error?.message;
  const attempts = delivered.attempts > 1 ? `, after ${delivered.attempts} attempts` : '';
  const where = delivered.batchId ? ` (batch ${delivered.batchId}, custom_id ${delivered.customId}${attempts})` : '';
  return new APICallError({
    message: `${apiMessage ?? outcome.message}${where}`,
    url: `${(baseURL ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}${request.url.replace(/^\/v1/, '')}`,
    requestBodyValues: request.body,
    statusCode: outcome.statusCode,
    responseBody: outcome.body === undefined ? undefined : JSON.stringify(outcome.body),
    isRetryable: false,
    data: { code: outcome.code, message: outcome.message, body: outcome.body },
  });
}

/**
 * What the result's providerMetadata.batchBridge says about the batch that answered, which mode waited for it, and
 * what the answer cost: `usage` (its tokens) and `cost` (at batch and synchronous price, the saving, and the date of
 * the prices). A model without a known price has `cost.prices: 'unknown'` and null amounts; `cost` is null only for an
 * answer without usage (or one a store recorded before costs were).
 */
export function batchMetadata({ delivered, mode, fromCache }: RoutedOutcome) {
  const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
  const { usage = null, ...cost } = delivered.cost ?? {};
  return {
    mode,
    fromCache,
    batchId: delivered.batchId,
    customId: delivered.customId,
    attempts: delivered.attempts,
    queuedAt: iso(delivered.queuedAt),
    submittedAt: iso(delivered.submittedAt),
    completedAt: iso(delivered.completedAt),
    usage,
    cost: delivered.cost ? cost : null,
  };
}
