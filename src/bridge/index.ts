export { createBridge, type BridgeGraph, type CreateBridgeOptions } from './create-bridge.js';
export { createOpenAIBridge, type OpenAIBridgeOptions } from './create-openai-bridge.js';
export type { BridgeState, InFlightBatch, BridgeTotals, OrphanBatch, ReconciliationSummary } from './bridge-state.js';
