import { describe, expect, it } from 'vitest';
import { compareCosts, costOf } from '../../scripts/demo/cost.js';
import { priceTable, pricesOf } from '../../scripts/demo/prices.js';

describe('the demo price table', () => {
  it('is dated, and prices every model at the Batch API for at most the synchronous price', () => {
    expect(priceTable.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const prices of Object.values(priceTable.models)) {
      expect(prices.batch.input).toBeLessThanOrEqual(prices.sync.input);
      expect(prices.batch.output).toBeLessThanOrEqual(prices.sync.output);
      expect(prices.sync.cachedInput).toBeLessThanOrEqual(prices.sync.input);
    }
  });

  it('prices a dated snapshot as its model, and knows when it does not know a model', () => {
    expect(pricesOf('gpt-4o-mini-2024-07-18')).toBe(priceTable.models['gpt-4o-mini']);
    expect(pricesOf('gpt-5.1-codex')).toBeUndefined();
    expect(compareCosts('my-fine-tune', { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1 })).toEqual({
      model: 'my-fine-tune',
    });
  });

  it('bills cached input tokens at their own price, out of the input tokens', () => {
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 };
    expect(costOf(usage, { input: 1, cachedInput: 0.5, output: 4 })).toBeCloseTo(0.6 + 0.2 + 0.4, 12);
  });
});
