export { createBatchOpenAI, batchOpenAI, type BatchOpenAIProvider } from './batch-openai-provider.js';
export type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';
export { BatchLanguageModel } from './batch-language-model.js';
export { BatchEmbeddingModel } from './batch-embedding-model.js';
export type { DeliveryMode } from './outcome-route.js';
