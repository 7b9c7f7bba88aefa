export { LocalBatcher } from './local-batcher.js';
export { localBatcherFor, closeLocalBatchers } from './local-batchers.js';
export {
  localOptionsSchema,
  resolveLocalOptions,
  defaultStoreDirectory,
  type LocalOptions,
  type ResolvedLocalOptions,
} from './local-options.js';
export { clearBatchCache, storeFileOf } from './store-registry.js';
export { LocalStoreError } from './errors.js';
export type { LocalDelivery } from './pending-request.js';
export type { OpenAIConnection } from './openai-connection.js';
