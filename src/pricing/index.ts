export { costOfResponse, costOfUsage, roundUsd, type CallCost, type CostOptions } from './call-cost.js';
export { addCost, describeCostTotals, emptyCostTotals, formatUsd, type CostTotals } from './cost-totals.js';
export { catalogSynchronousUsd, openAIBatchPriceRatio, priceCatalog } from './price-catalog.js';
export {
  modelPricesSchema,
  overrideFor,
  priceOverridesSchema,
  tokenPricesSchema,
  type ModelPrices,
  type ParsedPriceOverrides,
  type PriceOverrides,
  type TokenPrices,
} from './price-overrides.js';
export { addTokenUsage, modelOfResponse, noTokenUsage, usageOfResponse, type TokenUsage } from './token-usage.js';
