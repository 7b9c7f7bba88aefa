import type { Client } from '@langchain/langgraph-sdk';
import type { BatchBackend } from '../backends/types.js';
import type { BridgeRunOptions } from './bridge-options.js';
import type { BridgeState } from './bridge-state.js';
import type { BridgeStore } from './bridge-store.js';
import type { DeploymentIdentity } from './store-records.js';

/** Everything one bridge run works with. `state` is a draft the run changes and returns as its update. */
export interface BridgeRunContext {
  /** The bridge's graph id: names its store namespace and addresses its ticks. */
  bridge: string;
  threadId: string;
  store: BridgeStore;
  backend: BatchBackend;
  options: BridgeRunOptions;
  client: Client;
  state: BridgeState;
  now(): number;
  /** The inbox held more than one run takes in. */
  inboxBacklog?: boolean;
  /** When a hand-over kept in the inbox is to be checked against its thread again (verify-hand-overs.ts). */
  recheckAt?: number;
  /** When an outcome in the outbox is next to be sent or its resume run looked at (deliver-outcomes.ts). */
  deliveryCheckAt?: number;
  /** This deployment's identity in the store, read at the start of the run (deployment-identity.ts). */
  identity?: DeploymentIdentity;
  /** Reconciliation was due and did not finish: nothing is submitted in this run (it could submit a line twice). */
  holdFlush?: boolean;
}

export function recordError(context: BridgeRunContext, message: string): void {
  const error = { at: new Date(context.now()).toISOString(), message };
  context.state.lastError = error;
  context.state.recentErrors = [error, ...(context.state.recentErrors ?? [])].slice(0, 10);
}
