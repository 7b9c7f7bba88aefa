export { createBatchOpenAI, batchOpenAI, type BatchOpenAIProvider, type BatchOpenAIProviderSettings } from './provider/index.js';
export {
  createBridge,
  createOpenAIBridge,
  cancelBatchRequests,
  type CancelBatchRequestsOptions,
  wait,
  waitForOutcome,
  bridgeThreadId,
  BatchRequestError,
  BridgeInputError,
  BridgeOutcomeMismatchError,
  BridgeUnavailableError,
  BridgeUsageError,
  type CreateBridgeOptions,
  type OpenAIBridgeOptions,
  type WaitOptions,
  type BridgeBackend,
  type BridgeState,
  type DeliveredOutcome,
  type BridgeOutcome,
  type QueueSnapshot,
} from './bridge/index.js';
export type { Backend, BatchRequest, RequestOutcome } from './backends/types.js';
export { clearBatchCache, LocalStoreError, type LocalOptions } from './bridge/local/index.js';
export type { DeliveryMode } from './provider/index.js';
