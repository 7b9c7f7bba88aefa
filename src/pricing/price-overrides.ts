import { z } from 'zod';

/** Prices in US dollars per million tokens. */
export const tokenPricesSchema = z.object({
  input: z.number().nonnegative(),
  /** Input tokens served from the prompt cache; the input price when absent. */
  cachedInput: z.number().nonnegative().optional(),
  /** Embedding models have no output tokens: 0 when absent. */
  output: z.number().nonnegative().default(0),
});

/**
 * A model's prices given by the user, for a model the catalog does not know (a fine-tuned `ft:...` id) or priced
 * differently for them. The synchronous API's prices; `batch` defaults to OpenAI's Batch API discount (half of each).
 */
export const modelPricesSchema = tokenPricesSchema.extend({
  batch: tokenPricesSchema.optional(),
  /** The date these prices are from (reported as `pricesAsOf`), e.g. `2026-11-01`. */
  asOf: z.string().min(1).optional(),
});

/**
 * Prices by model id, taking precedence over the catalog. A response's dated snapshot id (`gpt-4o-mini-2024-07-18`)
 * finds the prices given for its model (`gpt-4o-mini`).
 */
export const priceOverridesSchema = z.record(z.string().min(1), modelPricesSchema);

export type TokenPrices = z.infer<typeof tokenPricesSchema>;
export type ModelPrices = z.infer<typeof modelPricesSchema>;
export type PriceOverrides = z.input<typeof priceOverridesSchema>;

/** Overrides as the options' schema left them (validated once, defaults filled in). */
export type ParsedPriceOverrides = z.output<typeof priceOverridesSchema>;

/** The override for a model id or for the model a dated snapshot id belongs to. */
export function overrideFor(overrides: ParsedPriceOverrides | undefined, modelId: string): ModelPrices | undefined {
  if (!overrides) return undefined;
  return overrides[modelId] ?? overrides[modelId.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}
