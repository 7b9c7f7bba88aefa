import { randomUUID } from 'node:crypto';
import type { BridgeRunContext } from '../bridge-run-context.js';
import type { DeploymentIdentity } from '../store-records.js';

/**
 * Reads this deployment's identity from the bridge's store, creating it on the first run: a random id that goes into
 * the metadata of every batch the bridge creates (`batch_bridge_deployment`). Two deployments that share an API key
 * and a graph id never share it, so a batch carrying it is provably this deployment's. A store that was lost loses
 * it too: batches made before are then no longer provably ours, and are reported instead of cancelled.
 */
export async function loadIdentity(context: BridgeRunContext): Promise<DeploymentIdentity> {
  const existing = await context.store.getIdentity();
  if (existing) {
    context.identity = existing;
    return existing;
  }
  const created: DeploymentIdentity = { deploymentId: randomUUID(), createdAt: context.now() };
  await context.store.run([context.store.putIdentity(created)]);
  context.identity = created;
  return created;
}
