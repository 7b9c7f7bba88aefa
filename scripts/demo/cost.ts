import type { TokenUsage } from '../../examples/ticket-triage.js';
import { pricesOf, type TokenPrices } from './prices.js';

export interface CostComparison {
  model: string;
  /** Undefined when the price table does not know the model. */
  synchronousUsd?: number;
  batchUsd?: number;
}

export function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
  };
}

export const noUsage = (): TokenUsage => ({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 });

/** Cached input tokens are part of the input tokens (as OpenAI reports them) and are billed at their own price. */
export function costOf(usage: TokenUsage, prices: TokenPrices): number {
  const uncachedInput = usage.inputTokens - usage.cachedInputTokens;
  return (
    (uncachedInput * prices.input + usage.cachedInputTokens * prices.cachedInput + usage.outputTokens * prices.output) /
    1_000_000
  );
}

/** What the same tokens cost through the synchronous API and through the Batch API. */
export function compareCosts(model: string, usage: TokenUsage): CostComparison {
  const prices = pricesOf(model);
  if (!prices) return { model };
  return { model, synchronousUsd: costOf(usage, prices.sync), batchUsd: costOf(usage, prices.batch) };
}
