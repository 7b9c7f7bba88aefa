export { createBridge, type CreateBridgeOptions } from './create-bridge.js';
export { wait, waitForOutcome, isInLangGraphServerRun, defaultBridge, type WaitOptions } from './wait.js';
export { bridgeThreadId, requestKeyOf, digestOf } from './bridge-identity.js';
export type { BridgeBackend, BridgeBatchGroup, BridgeBatchPoll, BridgeRequest, BridgeRequestOutcome } from './bridge-backend.js';
export type { BridgeEvent, BridgeOutcome, DeliveredOutcome, SubmittedRequest, WaitingDescriptor } from './bridge-events.js';
export type { BridgeState, InFlightBatch, BridgeTotals } from './bridge-state.js';
export type { QueueSnapshot } from './flush-policy.js';
export { BatchRequestError, BridgeInputError, BridgeOutcomeMismatchError, BridgeUnavailableError, BridgeUsageError } from './errors.js';
export { createOpenAIBridge, type OpenAIBridgeOptions } from './create-openai-bridge.js';
