import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd, priceCatalog } from '../../src/pricing/index.js';
import {
  bridgeStateOf,
  e2eGraphs,
  runThread,
  startE2EEnvironment,
  type E2EEnvironment,
} from './support/e2e-environment.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The catalog's own per-million prices of an OpenAI model, read from the data the package ships. */
function catalogPrices(modelId: string): ModelPrice {
  const model = findProvider({ providerId: 'openai' })!.models.find((candidate) => candidate.id === modelId)!;
  return model.prices as ModelPrice;
}

/** What a user would compute by hand: tokens × the catalog's synchronous prices; the Batch API charges half. */
function byHand(model: string, usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number }) {
  const prices = catalogPrices(model);
  const input = prices.input_mtok as number;
  const synchronousUsd =
    ((usage.inputTokens - usage.cachedInputTokens) * input +
      usage.cachedInputTokens * ((prices.cache_read_mtok as number | undefined) ?? input) +
      usage.outputTokens * ((prices.output_mtok as number | undefined) ?? 0)) /
    1e6;
  return { synchronousUsd, batchUsd: synchronousUsd / 2 };
}

async function status(url: string, bridge: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'status', '--url', url, '--bridge', bridge],
    { cwd: root },
  );
  return stdout;
}

let environment: E2EEnvironment;

beforeAll(async () => {
  environment = await startE2EEnvironment({
    graphs: {
      // One bridge per test, so that each test's totals are its own whatever the order.
      cost_bridge_a: e2eGraphs.batch_bridge,
      cost_bridge_b: e2eGraphs.batch_bridge,
      priced_bridge: e2eGraphs.batch_bridge.replace(/:batchBridge$/, ':pricedBridge'),
      single: e2eGraphs.single,
      embeddings: e2eGraphs.embeddings,
    },
  });
});

afterAll(async () => {
  await environment?.close();
});

describe('cost and savings on a real LangGraph server', () => {
  it("each call's providerMetadata.batchBridge carries its usage and its cost at batch and synchronous price; status totals them", async () => {
    const { client } = environment;
    const bridge = 'cost_bridge_a';
    const [chat, responses, embedded] = await Promise.all([
      runThread(client, 'single', { prompt: 'What does a batch cost?', bridge, api: 'chat', model: 'gpt-4.1-mini' }),
      runThread(client, 'single', { prompt: 'And through Responses?', bridge, api: 'responses' }),
      runThread(client, 'embeddings', { prompts: ['one text', 'another text'], bridge }),
    ]);
    const answers = [
      { model: 'gpt-4.1-mini', result: (chat.state.values as any).results[0] },
      { model: 'gpt-4o-mini', result: (responses.state.values as any).results[0] },
      { model: 'text-embedding-3-small', result: (embedded.state.values as any).results[0] },
    ];
    for (const { model, result } of answers) {
      const metadata = result.batchBridge;
      expect(metadata.mode).toBe('bridge');
      // The usage is the answer's own, as the AI SDK reports it to the caller.
      expect(metadata.usage.inputTokens).toBe(result.usage.inputTokens ?? result.usage.tokens);
      expect(metadata.usage.inputTokens).toBeGreaterThan(0);
      if (model !== 'text-embedding-3-small') expect(metadata.usage.outputTokens).toBe(result.usage.outputTokens);
      const expected = byHand(model, metadata.usage);
      expect(expected.synchronousUsd).toBeGreaterThan(0);
      expect(metadata.cost).toMatchObject({ model, prices: 'catalog', pricesAsOf: priceCatalog.publishedOn });
      expect(metadata.cost.synchronousUsd).toBeCloseTo(expected.synchronousUsd, 11);
      expect(metadata.cost.batchUsd).toBeCloseTo(expected.batchUsd, 11);
      expect(metadata.cost.savedUsd).toBeCloseTo(expected.synchronousUsd - expected.batchUsd, 11);
    }

    // The bridge's totals are the sum of its calls' costs, and `batch-bridge status` prints them.
    const state = await bridgeStateOf(client, bridge);
    const spent = answers.reduce((sum, { result }) => sum + result.batchBridge.cost.batchUsd, 0);
    const synchronous = answers.reduce((sum, { result }) => sum + result.batchBridge.cost.synchronousUsd, 0);
    expect(state.cost.pricedAnswers).toBe(3);
    expect(state.cost.unpricedAnswers).toBe(0);
    expect(state.cost.batchUsd).toBeCloseTo(spent, 11);
    expect(state.cost.synchronousUsd).toBeCloseTo(synchronous, 11);
    expect(state.cost.savedUsd).toBeCloseTo(synchronous - spent, 11);
    const printed = await status(environment.server.url, bridge);
    expect(printed).toContain(
      `spent        ${formatUsd(spent)} at batch price for 3 answer(s) · ${formatUsd(synchronous)} at synchronous ` +
        `price · saved ${formatUsd(synchronous - spent)} (prices of ${priceCatalog.publishedOn})`,
    );
  });

  it('a model without a price has an unknown cost, never 0, and the status says which', async () => {
    const { client } = environment;
    const bridge = 'cost_bridge_b';
    const fineTune = 'ft:gpt-4o-mini-2024-07-18:acme::cost1';
    const [tuned, known] = await Promise.all([
      runThread(client, 'single', { prompt: 'Tuned answer', bridge, api: 'chat', model: fineTune }),
      runThread(client, 'single', { prompt: 'Known answer', bridge, api: 'chat' }),
    ]);
    const unknown = (tuned.state.values as any).results[0].batchBridge;
    expect(unknown.usage.inputTokens).toBeGreaterThan(0);
    expect(unknown.cost).toEqual({
      model: fineTune,
      batchUsd: null,
      synchronousUsd: null,
      savedUsd: null,
      prices: 'unknown',
      pricesAsOf: null,
    });
    const priced = (known.state.values as any).results[0].batchBridge.cost;

    const state = await bridgeStateOf(client, bridge);
    expect(state.cost).toMatchObject({ pricedAnswers: 1, unpricedAnswers: 1, unpricedModels: [fineTune] });
    expect(state.cost.batchUsd).toBeCloseTo(priced.batchUsd, 11);
    const printed = await status(environment.server.url, bridge);
    expect(printed).toContain(`cost unknown 1 answer(s) of ${fineTune}: no price in the catalog, not counted above`);
    expect(printed).toContain(`spent        ${formatUsd(priced.batchUsd)} at batch price for 1 answer(s)`);
  });

  it("a bridge's prices option prices a model the catalog lacks, with the date given for those prices", async () => {
    const { client } = environment;
    const fineTune = 'ft:gpt-4o-mini-2024-07-18:acme::cost1';
    const { state } = await runThread(client, 'single', {
      prompt: 'Priced by the operator',
      bridge: 'priced_bridge',
      api: 'chat',
      model: fineTune,
    });
    const { usage, cost } = (state.values as any).results[0].batchBridge;
    const synchronous = (usage.inputTokens * 0.3 + usage.outputTokens * 1.2) / 1e6;
    expect(cost).toMatchObject({ model: fineTune, prices: 'override', pricesAsOf: '2026-11-01' });
    expect(cost.synchronousUsd).toBeCloseTo(synchronous, 11);
    expect(cost.batchUsd).toBeCloseTo(synchronous / 2, 11);
    const totals = (await bridgeStateOf(client, 'priced_bridge')).cost;
    expect(totals).toMatchObject({ pricedAnswers: 1, unpricedAnswers: 0, pricesAsOf: '2026-11-01' });
  });
});
