import { storeLabel } from './store-label.js';

/**
 * Every LangGraph detail batch-bridge relies on that is not a documented public API, in one place, each with why it is
 * needed. Verified on @langchain/langgraph 1.7.3 and @langchain/langgraph-api 1.5.1 (`langgraphjs dev`); the e2e
 * suites fail if one of them changes.
 */

/**
 * `config.configurable.__pregel_scratchpad`: LangGraph makes a new scratchpad object for every execution of a task.
 * Parallel model calls in one node must reach interrupt() in the same order every time the node runs, and this object
 * is the only thing that tells one execution of a task from the next (agent/wait-turn.ts).
 */
export const scratchpadKey = '__pregel_scratchpad';

/**
 * `config.configurable.__pregel_strict_resume = true` on a resume run: an interrupt id answered before is refused
 * (UnknownInterruptError) instead of being taken as the answer to the task's next interrupt. It passes through the
 * LangGraph server's run config. Without it, a resume sent twice would answer the wrong call (FACTS.md).
 */
export const strictResumeKey = '__pregel_strict_resume';

/** The default graph id of the bridge in langgraph.json. */
export const defaultBridge = 'batch_bridge';

/**
 * The store layout both sides read. Every label is valid on every LangGraph store: fixed words, or ids passed through
 * storeLabel (`batch_bridge` is `batch~5Fbridge`: PostgresStore refuses `_`). No searched label is a prefix of another
 * (PostgresStore's prefix search is a text match), and reads keep only items of the exact namespace asked for.
 *
 * Under [storeRoot, 'bridge', storeLabel(bridge graph id)]:
 *   requests          requestKey → RequestRecord  (the request, its attempt and status; kept slim after delivery)
 *   queue             requestKey → QueueEntry     (requests waiting to be submitted; ordered by queuedAt, not store)
 *   members, <tag>    customId   → BatchMember    (the request and input-file line of each line of a submission)
 *   outbox            requestKey → OutboxEntry    (outcomes whose resume run is not accepted yet)
 *   batches           tag        → InFlightBatch  (written before the API is asked; the batch id once it answers)
 *   unverified        inbox key  → checks so far  (hand-overs kept in the inbox until their thread shows the interrupt)
 *   identity          'deployment' → DeploymentIdentity (a random id made once; in every batch's metadata)
 *   strays            batch id   → StrayBatch     (batches at the API the store did not know, until adopted or orphaned)
 *   settled           batch id   → { at }         (batches settled and forgotten, so reconciliation knows them)
 *   nudges            requestKey → NudgeRecord    (threads asked to hand a lost request over again)
 *
 * and, keyed by the bridge's thread (which a node knows from the address it hands over to, where the bridge's graph
 * id may differ from the assistant id the node was given):
 *   [storeRoot, 'inbox', thread]  requestKey → HandOver    (written by waiting nodes, taken in by the next bridge run)
 *   [storeRoot, 'wake', thread]   wakeKey    → WakeMarker  (present while an inbox run is coming and has not started)
 *
 * batch-bridge 0.1 used the root `batch_bridge`, which PostgresStore refuses; its data is not migrated (README).
 */
export const storeRoot = 'batch-bridge';

export function bridgeNamespace(bridge: string, ...labels: string[]): string[] {
  return [storeRoot, 'bridge', storeLabel(bridge), ...labels];
}

/** Where the bridge records each request it knows; a node that runs again looks here before handing over again. */
export function requestsNamespace(bridge: string): string[] {
  return bridgeNamespace(bridge, 'requests');
}

export function inboxNamespace(bridgeThreadId: string): string[] {
  return [storeRoot, 'inbox', storeLabel(bridgeThreadId)];
}

export function wakeNamespace(bridgeThreadId: string): string[] {
  return [storeRoot, 'wake', storeLabel(bridgeThreadId)];
}

export const wakeKey = 'coming';

/** A bridge run created to take in the inbox, not started yet. */
export interface WakeMarker {
  wakeId: string;
  createdAt: number;
}
