export { createBridge, type BridgeGraph, type CreateBridgeOptions } from './create-bridge.js';
export { createOpenAIBridge, type OpenAIBridgeOptions } from './create-openai-bridge.js';
export type { BridgeState, InFlightBatch, BridgeTotals } from './bridge-state.js';
