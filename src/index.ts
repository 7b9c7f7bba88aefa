// The package root: what a user calls or implements, nothing else. The emulator is `batch-bridge/testing`.

// Faces users swap in for `openai(...)`.
export {
  createBatchOpenAI,
  batchOpenAI,
  type BatchOpenAIProvider,
  type BatchOpenAIProviderSettings,
  type DeliveryMode,
} from './provider/index.js';

// Inside a node: wait for any batch API through a bridge. From a client: wait for a thread's final state, cancel.
export {
  wait,
  waitForOutcome,
  waitForAnswer,
  cancelBatchRequests,
  ThreadRunError,
  WaitForAnswerTimeoutError,
  type WaitOptions,
  type WaitForAnswerOptions,
  type CancelBatchRequestsOptions,
} from './agent/index.js';

// The bridge graph to register in langgraph.json, and what an operator reads of it.
export {
  createBridge,
  createOpenAIBridge,
  type BridgeGraph,
  type CreateBridgeOptions,
  type OpenAIBridgeOptions,
  type BridgeState,
  type BridgeTotals,
  type InFlightBatch,
} from './bridge/index.js';
export { bridgeThreadId } from './protocol/index.js';

// The local mode's store.
export { clearBatchCache, LocalStoreError, type LocalOptions } from './local/index.js';

// What a delivered answer looks like, and the errors a call can meet.
export {
  BatchRequestError,
  BridgeInputError,
  BridgeOutcomeMismatchError,
  BridgeUnavailableError,
  BridgeUsageError,
  type DeliveredOutcome,
  type QueueSnapshot,
} from './core/index.js';

// What an answer cost (providerMetadata.batchBridge.cost, the bridge's `cost` totals) and the prices behind it.
export {
  priceCatalog,
  priceOverridesSchema,
  type CallCost,
  type CostTotals,
  type PriceOverrides,
  type TokenUsage,
} from './pricing/index.js';

// The contract to implement for another batch API (`createBridge({ backend })`).
export type {
  BatchBackend,
  BatchGroup,
  BatchPoll,
  BatchRequest,
  Outcome,
  PlanOptions,
  RequestCounts,
  RequestOutcome,
  SubmittedBatch,
} from './backends/types.js';
export type { SimplePoll, SimpleSubmit } from './backends/simple/simple-backend.js';
