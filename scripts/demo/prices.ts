/**
 * OpenAI list prices the demo's report uses, in US dollars per million tokens. Prices change: when they do, edit the
 * numbers and `checkedOn` here, nothing else. `batch` is the Batch API's price for the same model (half, for all of
 * these). A dated snapshot id (`gpt-4o-mini-2024-07-18`) is priced as its model.
 */
export interface TokenPrices {
  input: number;
  /** Input tokens served from the prompt cache. */
  cachedInput: number;
  output: number;
}

export interface ModelPrices {
  sync: TokenPrices;
  batch: TokenPrices;
}

export const priceTable = {
  checkedOn: '2026-11-25',
  source: 'OpenAI API pricing, Standard and Batch tiers (https://openai.com/api/pricing)',
  models: {
    'gpt-4o-mini': {
      sync: { input: 0.15, cachedInput: 0.075, output: 0.6 },
      batch: { input: 0.075, cachedInput: 0.0375, output: 0.3 },
    },
    'gpt-4o': {
      sync: { input: 2.5, cachedInput: 1.25, output: 10 },
      batch: { input: 1.25, cachedInput: 0.625, output: 5 },
    },
    'gpt-4.1': { sync: { input: 2, cachedInput: 0.5, output: 8 }, batch: { input: 1, cachedInput: 0.25, output: 4 } },
    'gpt-4.1-mini': {
      sync: { input: 0.4, cachedInput: 0.1, output: 1.6 },
      batch: { input: 0.2, cachedInput: 0.05, output: 0.8 },
    },
    'gpt-4.1-nano': {
      sync: { input: 0.1, cachedInput: 0.025, output: 0.4 },
      batch: { input: 0.05, cachedInput: 0.0125, output: 0.2 },
    },
    'gpt-5': {
      sync: { input: 1.25, cachedInput: 0.125, output: 10 },
      batch: { input: 0.625, cachedInput: 0.0625, output: 5 },
    },
    'gpt-5-mini': {
      sync: { input: 0.25, cachedInput: 0.025, output: 2 },
      batch: { input: 0.125, cachedInput: 0.0125, output: 1 },
    },
    'gpt-5-nano': {
      sync: { input: 0.05, cachedInput: 0.005, output: 0.4 },
      batch: { input: 0.025, cachedInput: 0.0025, output: 0.2 },
    },
    o3: { sync: { input: 2, cachedInput: 0.5, output: 8 }, batch: { input: 1, cachedInput: 0.25, output: 4 } },
    'o4-mini': {
      sync: { input: 1.1, cachedInput: 0.275, output: 4.4 },
      batch: { input: 0.55, cachedInput: 0.1375, output: 2.2 },
    },
    'text-embedding-3-small': {
      sync: { input: 0.02, cachedInput: 0.02, output: 0 },
      batch: { input: 0.01, cachedInput: 0.01, output: 0 },
    },
    'text-embedding-3-large': {
      sync: { input: 0.13, cachedInput: 0.13, output: 0 },
      batch: { input: 0.065, cachedInput: 0.065, output: 0 },
    },
  } satisfies Record<string, ModelPrices>,
};

/** The prices of a model id, or undefined when the table does not know it. */
export function pricesOf(modelId: string): ModelPrices | undefined {
  const models: Record<string, ModelPrices> = priceTable.models;
  if (models[modelId]) return models[modelId];
  const snapshot = /^(.*)-\d{4}-\d{2}-\d{2}$/.exec(modelId);
  return snapshot ? models[snapshot[1]] : undefined;
}
