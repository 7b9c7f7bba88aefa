export { createOpenAIBackend, type OpenAIBackend, type OpenAIBatchPoll } from './openai-backend.js';
export {
  terminalBatchStatuses,
  type BatchStatus,
  type OpenAIBatchGroup,
  type OpenAIBatchRequest,
  type OpenAIPayload,
  type OpenAISubmittedBatch,
} from './openai-types.js';
export {
  openAIBatchLimits,
  type OpenAIBackendSettings,
  type OpenAIBatchLimits,
  type RetrySettings,
} from './settings.js';
export {
  BatchApiError,
  BatchBackendError,
  BatchMetadataError,
  BatchOutputError,
  BatchOutputUnavailableError,
  BatchPlanError,
  BatchSettingsError,
  type BatchApiOperation,
  type BatchPlanErrorCode,
} from './errors.js';
export { planBatches, countEmbeddingInputs, supportedBatchEndpoints } from './plan-batches.js';
export { serializeBatchLine, serializeBatchInput, type BatchInputLine } from './serialize-batch-input.js';
export { parseBatchOutput, parseBatchOutputLine, readLines, type BatchOutputLine } from './parse-batch-output.js';
export {
  classifyOutputLine,
  isRetryableStatus,
  missingOutcome,
  outcomesForFailedBatch,
  type BatchErrorData,
} from './classify-outcome.js';
export { collectFileOutcomes, mergeOutcomes, type CollectedOutcomes, type FileOutcomes } from './collect-outcomes.js';
export { batchBridgeMetadata, buildBatchMetadata, metadataLimits, validateBatchMetadata } from './batch-metadata.js';
