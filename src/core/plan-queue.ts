import type { BatchGroup, BatchRequest, PlanOptions } from '../backends/types.js';
import { errorMessage } from './errors.js';

/** A queued request as the engine plans it; `Item` carries whatever the mode keeps beside it (a record, a call). */
export interface PlannableItem {
  customId: string;
  payload: unknown;
}

export interface PlannedBatch<Item extends PlannableItem, Group extends BatchGroup = BatchGroup> {
  group: Group;
  items: Item[];
}

export interface QueuePlan<Item extends PlannableItem, Group extends BatchGroup = BatchGroup> {
  batches: Array<PlannedBatch<Item, Group>>;
  /** Requests the backend cannot place (too large, malformed, unknown endpoint), each with the reason. */
  refused: Array<{ item: Item; message: string }>;
}

export interface PlanQueueOptions {
  /** The engine's `maxRequests`: at most this many requests in one batch. */
  maxRequests: number;
  /** Smaller caps per group label, after a batch of that label went over the API's token limit. */
  batchSizeLimits?: Readonly<Record<string, number>>;
}

/**
 * Plans ready requests into batches: the backend groups them (by endpoint and model for OpenAI) within its limits and
 * `maxRequests`. A request the backend cannot place is refused on its own, so that one bad request does not hold
 * back the rest.
 */
export function planQueue<Item extends PlannableItem, Group extends BatchGroup>(
  backend: { plan(requests: BatchRequest[], options?: PlanOptions): Group[] },
  items: Item[],
  options: PlanQueueOptions,
): QueuePlan<Item, Group> {
  const planOptions = { maxRequestsPerBatch: options.maxRequests };
  const requestOf = (item: Item) => ({ customId: item.customId, payload: item.payload });
  const refused: QueuePlan<Item, Group>['refused'] = [];
  let plannable = items;
  let groups: Group[];
  try {
    groups = items.length > 0 ? backend.plan(items.map(requestOf), planOptions) : [];
  } catch {
    // Rare: planning one by one finds the requests at fault without failing the others.
    plannable = items.filter((item) => {
      try {
        backend.plan([requestOf(item)], planOptions);
        return true;
      } catch (error) {
        refused.push({ item, message: errorMessage(error) });
        return false;
      }
    });
    groups = plannable.length > 0 ? backend.plan(plannable.map(requestOf), planOptions) : [];
  }
  // After token_limit_exceeded, a smaller batch of that label may fit under the API's enqueued-token limit.
  groups = groups.flatMap((group) => {
    const limit = options.batchSizeLimits?.[group.label];
    return limit !== undefined && group.requests.length > limit
      ? backend.plan(group.requests, { maxRequestsPerBatch: limit })
      : [group];
  });
  const byCustomId = new Map(plannable.map((item) => [item.customId, item]));
  return {
    batches: groups.map((group) => ({
      group,
      items: group.requests.map((request) => byCustomId.get(request.customId)!),
    })),
    refused,
  };
}
