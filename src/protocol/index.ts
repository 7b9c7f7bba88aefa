export {
  bridgeEventSchema,
  handOverSchema,
  type BridgeEvent,
  type HandOver,
  type WaitingDescriptor,
} from './bridge-events.js';
export { bridgeThreadId } from './bridge-identity.js';
export * from './langgraph-internals.js';
export { storeLabel, idFromStoreLabel } from './store-label.js';
export { graphIdsOn } from './graph-ids.js';
