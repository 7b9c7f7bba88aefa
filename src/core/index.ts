export {
  deliveredOutcome,
  isDeliveredOutcome,
  type DeliveredOutcome,
  type SettledRequest,
} from './delivered-outcome.js';
export { engineOptionsSchema, type EngineOptions } from './engine-options.js';
export { definedOnly, timingsFromEnvironment, withEnvironmentTimings } from './environment-timings.js';
export {
  BatchRequestError,
  BridgeInputError,
  BridgeOutcomeMismatchError,
  BridgeUnavailableError,
  BridgeUsageError,
  errorMessage,
  isNotFound,
} from './errors.js';
export { earliest } from './earliest.js';
export { flushPolicySchema, nextFlushAt, shouldFlush, type FlushPolicy, type QueueSnapshot } from './flush-policy.js';
export { customIdOf, digestOf, measurePayload, requestKeyOf } from './identity.js';
export { planQueue, type PlannedBatch, type PlanQueueOptions, type QueuePlan } from './plan-queue.js';
export { afterPollFailure, unavailableOutcomes } from './poll-failure.js';
export { oversizeRefusal } from './request-size.js';
export { afterSubmitFailure, maxSubmitBackoffMs, queuedTooLong, type SubmitFailureDecision } from './submit-failure.js';
export { nextBatchSizeLimit, settleOutcome, type SettleContext, type Settlement } from './settle-outcome.js';
export {
  addCost,
  describeCostTotals,
  emptyCostTotals,
  formatUsd,
  priceCatalog,
  priceOverridesSchema,
  type CallCost,
  type CostTotals,
  type PriceOverrides,
  type TokenUsage,
} from '../pricing/index.js';
