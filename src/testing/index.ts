/**
 * `batch-bridge/testing`: an offline OpenAI Batch API emulator for tests, benchmarks and demos.
 * See README.md in this folder for the responder's rules and the fault marker syntax.
 */
export { startOpenAIBatchEmulator, defaultTimings, defaultLimits } from './emulator.js';
export { defaultResponder } from './responder/default-responder.js';
export { valueFromSchema } from './responder/value-from-schema.js';
export { faultMarkerPattern } from './types.js';
export { knownOpenAIModels } from './models/known-models.js';
export type {
  ApiOperation,
  BatchFaults,
  BatchLimits,
  EmulatorOptions,
  EmulatorRecord,
  EnqueuedTokenLimit,
  HttpFaults,
  LifecycleTimings,
  RecordedBatch,
  Responder,
  ResponderRequest,
  RunningEmulator,
} from './types.js';
export {
  startLangGraphDevServer,
  findFreePort,
  type LangGraphDevServerOptions,
  type RunningLangGraphDevServer,
} from './langgraph-dev-server.js';
export { DevServerStartError } from '../dev-server/launch-dev-server.js';
