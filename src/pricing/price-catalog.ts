import { createRequire } from 'node:module';
import type { TokenUsage } from './token-usage.js';

type Catalog = typeof import('@pydantic/genai-prices');
let catalog: Catalog | undefined;

/** The catalog's data is 0.5 MB of code (0.2-0.3 s to load here): loaded with the first answer, not at import. */
function loadCatalog(): Catalog {
  catalog ??= createRequire(import.meta.url)('@pydantic/genai-prices') as Catalog;
  return catalog;
}

/**
 * The maintained price catalog the costs come from: @pydantic/genai-prices, whose data ships inside the package (no
 * network at run time). Its version is pinned in package.json; `publishedOn` is that version's release date, which
 * the prices are reported as of. A test fails when the installed version differs from `version`, so a bump updates
 * both.
 */
export const priceCatalog = {
  name: '@pydantic/genai-prices',
  version: '0.1.8',
  publishedOn: '2026-09-23',
} as const;

/**
 * OpenAI's Batch API bills every token at half the synchronous price (input, cached input and output alike). The
 * catalog has synchronous prices only, so the batch price is derived from them.
 */
export const openAIBatchPriceRatio = 0.5;

/**
 * What `usage` costs at OpenAI's synchronous prices for `modelId` on the given date, from the catalog (which knows
 * dated snapshot ids, tiered and dated prices); undefined when the catalog does not know the model or it is a
 * fine-tune.
 */
export function catalogSynchronousUsd(modelId: string, usage: TokenUsage, at: Date): number | undefined {
  // A fine-tuned model (`ft:gpt-4o-mini-2024-07-18:org::id`) is billed at its own prices, which the catalog would
  // take for its base model's: unknown unless the user gives them.
  if (modelId.startsWith('ft:')) return undefined;
  const result = loadCatalog().calcPrice(
    {
      // The catalog takes input_tokens as the total, cached ones included, like OpenAI reports them.
      input_tokens: usage.inputTokens,
      cache_read_tokens: usage.cachedInputTokens,
      output_tokens: usage.outputTokens,
    },
    modelId,
    { providerId: 'openai', timestamp: at },
  );
  return result === null ? undefined : result.total_price;
}
