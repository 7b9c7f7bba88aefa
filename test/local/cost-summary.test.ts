import { generateText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { addCost, describeCostTotals, emptyCostTotals, formatUsd, type CallCost } from '../../src/pricing/index.js';
import { costOfUsage, priceCatalog } from '../../src/pricing/index.js';
import { startLocalEnvironment, type LocalEnvironment } from './support/local-environment.js';

let environment: LocalEnvironment | undefined;

afterEach(async () => {
  await environment?.close();
  environment = undefined;
});

const costOf = (result: { providerMetadata?: Record<string, any> }): CallCost => {
  const { usage, cost } = result.providerMetadata!.batchBridge;
  return { ...cost, usage };
};

describe('local mode: what the calls cost and saved', () => {
  it('each batch line says what its answers cost and saved, and the totals so far once a second batch ends', async () => {
    environment = await startLocalEnvironment();
    const provider = environment.provider();
    // Two models: two batches from one burst of calls.
    const results = await Promise.all([
      generateText({ model: provider.chat('gpt-4o-mini'), prompt: 'Summarise the first ticket' }),
      generateText({ model: provider.chat('gpt-4o-mini'), prompt: 'Summarise the second ticket, please' }),
      generateText({ model: provider.chat('gpt-4.1-mini'), prompt: 'Classify the third ticket' }),
    ]);
    const costs = results.map(costOf);
    for (const [index, cost] of costs.entries()) {
      expect(results[index].providerMetadata!.batchBridge).toMatchObject({ mode: 'local', fromCache: false });
      expect(cost.usage.inputTokens).toBe(results[index].usage.inputTokens);
      expect(cost.usage.outputTokens).toBe(results[index].usage.outputTokens);
      // The same answer priced from the catalog: the call's metadata holds exactly that.
      const expected = costOfUsage(cost.model, cost.usage, { at: new Date() });
      expect(cost.prices).toBe('catalog');
      expect(cost.batchUsd).toBeCloseTo(expected.batchUsd!, 11);
      expect(cost.synchronousUsd).toBeCloseTo(expected.synchronousUsd!, 11);
    }

    const batchLines = environment.lines.filter((line) => / ended completed: /.test(line));
    expect(batchLines).toHaveLength(2);
    const miniLine = batchLines.find((line) => line.includes('gpt-4o-mini'))!;
    const miniTotals = [costs[0], costs[1]].reduce(addCost, emptyCostTotals());
    expect(miniLine).toContain(
      `2 answered, 0 failed; spent ${formatUsd(miniTotals.batchUsd)} at batch price, saved ` +
        `${formatUsd(miniTotals.savedUsd)} (synchronous: ${formatUsd(miniTotals.synchronousUsd)}; ` +
        `prices of ${priceCatalog.publishedOn})`,
    );
    const all = costs.reduce(addCost, emptyCostTotals());
    expect(all.savedUsd).toBeGreaterThan(0);
    expect(batchLines[1]).toContain(`So far (2 batches): ${describeCostTotals(all)}`);
    expect(batchLines[1]).toContain(
      `spent ${formatUsd(all.batchUsd)} at batch price, saved ${formatUsd(all.savedUsd)}`,
    );
  });

  it("prices a model the catalog lacks from the user's prices option, and says so where none is given", async () => {
    environment = await startLocalEnvironment();
    const fineTune = 'ft:gpt-4o-mini-2024-07-18:acme::local1';
    const priced = environment.provider({
      local: { prices: { [fineTune]: { input: 0.3, cachedInput: 0.15, output: 1.2, asOf: '2026-11-01' } } },
    });
    const withPrice = await generateText({ model: priced.chat(fineTune), prompt: 'Priced by the user' });
    const cost = costOf(withPrice);
    const synchronous = (cost.usage.inputTokens * 0.3 + cost.usage.outputTokens * 1.2) / 1e6;
    expect(cost).toMatchObject({ prices: 'override', pricesAsOf: '2026-11-01' });
    expect(cost.synchronousUsd).toBeCloseTo(synchronous, 11);
    expect(cost.batchUsd).toBeCloseTo(synchronous / 2, 11);

    const unpriced = await generateText({ model: environment.provider().chat(fineTune), prompt: 'Nobody priced me' });
    expect(costOf(unpriced)).toMatchObject({ prices: 'unknown', batchUsd: null, synchronousUsd: null, savedUsd: null });
    expect(environment.lines.some((line) => line.includes(`cost unknown for 1 answer(s) of ${fineTune}`))).toBe(true);
  });

  it('an answer from the store keeps the cost it was bought at and spends nothing in this run', async () => {
    environment = await startLocalEnvironment();
    const prompt = 'Answer me once and keep it';
    const first = await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt });
    const endedBefore = environment.lines.filter((line) => / ended /.test(line)).length;
    const again = await generateText({ model: environment.provider().chat('gpt-4o-mini'), prompt });
    expect(again.providerMetadata!.batchBridge).toMatchObject({ fromCache: true });
    expect(costOf(again)).toEqual(costOf(first));
    expect(environment.lines.filter((line) => / ended /.test(line))).toHaveLength(endedBefore);
    expect(environment.emulator.record().batches).toHaveLength(1);
  });
});
