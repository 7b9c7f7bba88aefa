import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import {
  addCost,
  costOfResponse,
  costOfUsage,
  emptyCostTotals,
  openAIBatchPriceRatio,
  priceCatalog,
  usageOfResponse,
  type TokenUsage,
} from '../../src/pricing/index.js';

const at = new Date('2026-11-30T12:00:00Z');

/** The catalog's own per-million prices of a model, read from the data the package ships. */
function catalogPrices(modelId: string): ModelPrice {
  const model = findProvider({ providerId: 'openai' })!.models.find((candidate) => candidate.id === modelId);
  expect(model, `${modelId} in the catalog`).toBeDefined();
  expect(Array.isArray(model!.prices), `${modelId} has one price, not prices by date`).toBe(false);
  return model!.prices as ModelPrice;
}

/** Tokens × the catalog's prices: cached input tokens are part of the input and billed at cache_read_mtok. */
function expectedSynchronousUsd(prices: ModelPrice, usage: TokenUsage): number {
  const price = (key: string) => (prices[key] as number | undefined) ?? 0;
  const cachedPrice = (prices.cache_read_mtok as number | undefined) ?? price('input_mtok');
  return (
    ((usage.inputTokens - usage.cachedInputTokens) * price('input_mtok') +
      usage.cachedInputTokens * cachedPrice +
      usage.outputTokens * price('output_mtok')) /
    1e6
  );
}

describe('the cost of one answer, from the price catalog', () => {
  const usage = { inputTokens: 12_345, cachedInputTokens: 4_096, outputTokens: 678 };

  it.each(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano'])(
    '%s: usage × the catalog prices at synchronous price, half of it at batch price, the rest saved',
    (model) => {
      const cost = costOfUsage(model, usage, { at });
      const synchronous = expectedSynchronousUsd(catalogPrices(model), usage);
      expect(synchronous).toBeGreaterThan(0);
      expect(cost.synchronousUsd).toBeCloseTo(synchronous, 11);
      expect(cost.batchUsd).toBeCloseTo(synchronous * 0.5, 11);
      expect(cost.savedUsd).toBeCloseTo(synchronous * 0.5, 11);
      expect(cost).toMatchObject({ model, usage, prices: 'catalog', pricesAsOf: priceCatalog.publishedOn });
    },
  );

  it('cached input tokens are cheaper than uncached ones (the catalog has a cached-input price)', () => {
    const uncached = costOfUsage('gpt-4.1', { inputTokens: 10_000, cachedInputTokens: 0, outputTokens: 0 }, { at });
    const cached = costOfUsage('gpt-4.1', { inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 0 }, { at });
    expect(cached.batchUsd!).toBeLessThan(uncached.batchUsd!);
    expect(catalogPrices('gpt-4.1').cache_read_mtok).toBeLessThan(catalogPrices('gpt-4.1').input_mtok as number);
  });

  it.each(['text-embedding-3-small', 'text-embedding-3-large'])('%s: input tokens only', (model) => {
    const body = { object: 'list', model, data: [], usage: { prompt_tokens: 5_000, total_tokens: 5_000 } };
    const cost = costOfResponse(body, { at })!;
    const synchronous = (5_000 * (catalogPrices(model).input_mtok as number)) / 1e6;
    expect(cost.usage).toEqual({ inputTokens: 5_000, cachedInputTokens: 0, outputTokens: 0 });
    expect(cost.synchronousUsd).toBeCloseTo(synchronous, 11);
    expect(cost.batchUsd).toBeCloseTo(synchronous * openAIBatchPriceRatio, 11);
  });

  it('a dated snapshot id, as OpenAI answers with, is priced as its model', () => {
    const snapshot = costOfUsage('gpt-4o-mini-2024-07-18', usage, { at });
    expect(snapshot.synchronousUsd).toBeCloseTo(costOfUsage('gpt-4o-mini', usage, { at }).synchronousUsd!, 11);
  });

  it('a model the catalog does not know has an unknown cost, never 0', () => {
    const cost = costOfUsage('gpt-4o-mnii', usage, { at });
    expect(cost).toEqual({
      model: 'gpt-4o-mnii',
      usage,
      batchUsd: null,
      synchronousUsd: null,
      savedUsd: null,
      prices: 'unknown',
      pricesAsOf: null,
    });
  });

  it('a fine-tuned model is billed at its own prices, which the catalog does not have: unknown', () => {
    const cost = costOfUsage('ft:gpt-4o-mini-2024-07-18:acme::x1', usage, { at });
    expect(cost).toMatchObject({ prices: 'unknown', batchUsd: null, synchronousUsd: null });
  });

  it("the user's prices take precedence, find a snapshot's model, and default the batch price to half", () => {
    const prices = {
      'gpt-4o-mini': { input: 1, cachedInput: 0.5, output: 2, asOf: '2026-11-01' },
      'ft:gpt-4o-mini:acme::x1': { input: 0.3, output: 1.2, batch: { input: 0.2, output: 0.4 } },
    };
    const mini = costOfUsage('gpt-4o-mini-2024-07-18', usage, { at, prices });
    const expected =
      ((usage.inputTokens - usage.cachedInputTokens) * 1 + usage.cachedInputTokens * 0.5 + 678 * 2) / 1e6;
    expect(mini).toMatchObject({ prices: 'override', pricesAsOf: '2026-11-01' });
    expect(mini.synchronousUsd).toBeCloseTo(expected, 11);
    expect(mini.batchUsd).toBeCloseTo(expected / 2, 11);
    const tuned = costOfUsage('ft:gpt-4o-mini:acme::x1', usage, { at, prices });
    // No cachedInput given: cached tokens at the input price.
    expect(tuned.synchronousUsd).toBeCloseTo((usage.inputTokens * 0.3 + 678 * 1.2) / 1e6, 11);
    expect(tuned.batchUsd).toBeCloseTo((usage.inputTokens * 0.2 + 678 * 0.4) / 1e6, 11);
    expect(tuned).toMatchObject({ prices: 'override', pricesAsOf: null });
  });
});

describe('the usage of a response body', () => {
  it('reads chat completions, Responses objects and embeddings lists, and nothing else', () => {
    expect(
      usageOfResponse({
        usage: { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 64 } },
      }),
    ).toEqual({ inputTokens: 100, cachedInputTokens: 64, outputTokens: 20 });
    expect(
      usageOfResponse({ usage: { input_tokens: 90, output_tokens: 9, input_tokens_details: { cached_tokens: 0 } } }),
    ).toEqual({ inputTokens: 90, cachedInputTokens: 0, outputTokens: 9 });
    expect(usageOfResponse({ usage: { prompt_tokens: 7, total_tokens: 7 } })).toEqual({
      inputTokens: 7,
      cachedInputTokens: 0,
      outputTokens: 0,
    });
    expect(usageOfResponse({ answer: 42 })).toBeUndefined();
    expect(usageOfResponse(null)).toBeUndefined();
    expect(costOfResponse({ answer: 42 }, { at })).toBeUndefined();
  });
});

describe('cost totals', () => {
  it('add priced answers up and count unpriced ones apart, naming their models', () => {
    const usage = { inputTokens: 1_000, cachedInputTokens: 0, outputTokens: 100 };
    const costs = [
      costOfUsage('gpt-4o-mini', usage, { at }),
      costOfUsage('gpt-4.1', usage, { at }),
      costOfUsage('unknown-model', usage, { at }),
      costOfUsage('unknown-model', usage, { at }),
    ];
    const totals = costs.reduce(addCost, emptyCostTotals());
    expect(totals.pricedAnswers).toBe(2);
    expect(totals.unpricedAnswers).toBe(2);
    expect(totals.unpricedModels).toEqual(['unknown-model']);
    expect(totals.batchUsd).toBeCloseTo(costs[0].batchUsd! + costs[1].batchUsd!, 11);
    expect(totals.synchronousUsd).toBeCloseTo(costs[0].synchronousUsd! + costs[1].synchronousUsd!, 11);
    expect(totals.savedUsd).toBeCloseTo(totals.synchronousUsd - totals.batchUsd, 11);
    expect(totals.usage).toEqual({ inputTokens: 4_000, cachedInputTokens: 0, outputTokens: 400 });
    expect(totals.pricesAsOf).toBe(priceCatalog.publishedOn);
  });
});

describe('the catalog this package is built on', () => {
  it('is the version whose release date the prices are reported as of (bump both together)', () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve(priceCatalog.name);
    const installed = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'));
    expect(installed.version).toBe(priceCatalog.version);
    const ours = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(ours.dependencies[priceCatalog.name]).toBe(priceCatalog.version);
  });
});
