import { catalogSynchronousUsd, openAIBatchPriceRatio, priceCatalog } from './price-catalog.js';
import { overrideFor, type ParsedPriceOverrides, type TokenPrices } from './price-overrides.js';
import { modelOfResponse, usageOfResponse, type TokenUsage } from './token-usage.js';

/**
 * What one answer cost: its tokens at the Batch API's price (what was paid), at the synchronous API's price (what the
 * same call through `openai(...)` would have cost) and the difference. A model without a known price has every amount
 * `null` and `prices: 'unknown'`: its cost is unknown, never 0.
 */
export interface CallCost {
  /** The model the response names (a dated snapshot id, usually). */
  model: string;
  usage: TokenUsage;
  batchUsd: number | null;
  synchronousUsd: number | null;
  savedUsd: number | null;
  /** Where the prices came from: the catalog, the user's `prices` option, or nowhere. */
  prices: 'catalog' | 'override' | 'unknown';
  /** The date the prices are from: the catalog's release, or the override's `asOf`; null when unknown. */
  pricesAsOf: string | null;
}

export interface CostOptions {
  /** The user's prices, which take precedence over the catalog (as the options' schema parsed them). */
  prices?: ParsedPriceOverrides;
  /** When the answer was billed: the catalog applies the prices in force then. */
  at: Date;
}

/** The cost of one answered request from its response body; undefined when the body reports no token usage. */
export function costOfResponse(body: unknown, options: CostOptions): CallCost | undefined {
  const usage = usageOfResponse(body);
  if (!usage) return undefined;
  return costOfUsage(modelOfResponse(body) ?? 'unknown', usage, options);
}

/** Amounts to a millionth of a cent: a call costs fractions of a cent, and float noise has no place in a report. */
export const roundUsd = (amount: number): number => Math.round(amount * 1e12) / 1e12;

export function costOfUsage(model: string, usage: TokenUsage, options: CostOptions): CallCost {
  const override = overrideFor(options.prices, model);
  if (override) {
    const synchronousUsd = priced(usage, override);
    const batchUsd = override.batch ? priced(usage, override.batch) : synchronousUsd * openAIBatchPriceRatio;
    return pricedCost(model, usage, {
      batchUsd,
      synchronousUsd,
      prices: 'override',
      pricesAsOf: override.asOf ?? null,
    });
  }
  const synchronousUsd = catalogSynchronousUsd(model, usage, options.at);
  if (synchronousUsd === undefined) {
    return { model, usage, batchUsd: null, synchronousUsd: null, savedUsd: null, prices: 'unknown', pricesAsOf: null };
  }
  return pricedCost(model, usage, {
    batchUsd: synchronousUsd * openAIBatchPriceRatio,
    synchronousUsd,
    prices: 'catalog',
    pricesAsOf: priceCatalog.publishedOn,
  });
}

function pricedCost(
  model: string,
  usage: TokenUsage,
  amounts: { batchUsd: number; synchronousUsd: number; prices: 'catalog' | 'override'; pricesAsOf: string | null },
): CallCost {
  const { batchUsd, synchronousUsd, prices, pricesAsOf } = amounts;
  return {
    model,
    usage,
    batchUsd: roundUsd(batchUsd),
    synchronousUsd: roundUsd(synchronousUsd),
    savedUsd: roundUsd(synchronousUsd - batchUsd),
    prices,
    pricesAsOf,
  };
}

/** Tokens at per-million prices; cached input tokens are part of the input tokens and billed at their own price. */
function priced(usage: TokenUsage, prices: TokenPrices): number {
  const uncached = usage.inputTokens - usage.cachedInputTokens;
  const cachedPrice = prices.cachedInput ?? prices.input;
  return (uncached * prices.input + usage.cachedInputTokens * cachedPrice + usage.outputTokens * prices.output) / 1e6;
}
