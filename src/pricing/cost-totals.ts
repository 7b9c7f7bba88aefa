import { roundUsd, type CallCost } from './call-cost.js';
import { addTokenUsage, noTokenUsage, type TokenUsage } from './token-usage.js';

/** Models named in the totals as unpriced, at most. */
const maxUnpricedModels = 10;

/**
 * Spending over many answers: what was paid at the Batch API's price, what the synchronous API would have cost, and
 * the difference. Answers of models without a known price are counted apart and are in none of the amounts.
 */
export interface CostTotals {
  /** Answers whose cost is known, and their amounts. */
  pricedAnswers: number;
  batchUsd: number;
  synchronousUsd: number;
  savedUsd: number;
  /** Answers whose model has no known price: their cost is unknown and not in the amounts above. */
  unpricedAnswers: number;
  unpricedModels: string[];
  /** Tokens of all answers, priced or not. */
  usage: TokenUsage;
  /** The date the prices of the latest priced answer are from. */
  pricesAsOf: string | null;
}

export const emptyCostTotals = (): CostTotals => ({
  pricedAnswers: 0,
  batchUsd: 0,
  synchronousUsd: 0,
  savedUsd: 0,
  unpricedAnswers: 0,
  unpricedModels: [],
  usage: noTokenUsage(),
  pricesAsOf: null,
});

/** The totals with one more answer's cost. */
export function addCost(totals: CostTotals, cost: CallCost): CostTotals {
  const usage = addTokenUsage(totals.usage, cost.usage);
  if (cost.batchUsd === null || cost.synchronousUsd === null) {
    const known = totals.unpricedModels.includes(cost.model) || totals.unpricedModels.length >= maxUnpricedModels;
    return {
      ...totals,
      usage,
      unpricedAnswers: totals.unpricedAnswers + 1,
      unpricedModels: known ? totals.unpricedModels : [...totals.unpricedModels, cost.model],
    };
  }
  return {
    ...totals,
    usage,
    pricedAnswers: totals.pricedAnswers + 1,
    batchUsd: roundUsd(totals.batchUsd + cost.batchUsd),
    synchronousUsd: roundUsd(totals.synchronousUsd + cost.synchronousUsd),
    savedUsd: roundUsd(totals.savedUsd + (cost.savedUsd ?? cost.synchronousUsd - cost.batchUsd)),
    pricesAsOf: cost.pricesAsOf ?? totals.pricesAsOf,
  };
}

/** Dollars readable at any size: `$12.35`, `$0.0123`, `$0.000042`. */
export function formatUsd(amount: number): string {
  if (amount === 0) return '$0';
  if (Math.abs(amount) >= 1) return `$${amount.toFixed(2)}`;
  return `$${amount.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')}`;
}

/**
 * One line for people: `spent $0.0123 at batch price, saved $0.0123 (synchronous: $0.0246; prices of 2026-09-23)`,
 * followed by what is unknown when some answers have no price.
 */
export function describeCostTotals(totals: CostTotals): string {
  const parts: string[] = [];
  if (totals.pricedAnswers > 0) {
    const asOf = totals.pricesAsOf ? `; prices of ${totals.pricesAsOf}` : '';
    parts.push(
      `spent ${formatUsd(totals.batchUsd)} at batch price, saved ${formatUsd(totals.savedUsd)} ` +
        `(synchronous: ${formatUsd(totals.synchronousUsd)}${asOf})`,
    );
  }
  if (totals.unpricedAnswers > 0) {
    parts.push(
      `cost unknown for ${totals.unpricedAnswers} answer(s) of ${totals.unpricedModels.join(', ')} ` +
        '(no price in the catalog; give one with the prices option)',
    );
  }
  return parts.length > 0 ? parts.join('; ') : 'nothing spent';
}
