import type { BaseStore, Operation } from '@langchain/langgraph';
import { bridgeNamespace, inboxNamespace, wakeKey, wakeNamespace } from '../protocol/index.js';
import type { InFlightBatch } from './bridge-state.js';
import type {
  BatchMember,
  DeploymentIdentity,
  NudgeRecord,
  OutboxEntry,
  QueueEntry,
  RequestRecord,
  StrayBatch,
} from './store-records.js';

/** Items read per search call. */
export const storePageSize = 1000;

/** Store operations are sent in slices so that no single call holds tens of thousands of items. */
const operationsPerCall = 1000;

/** Store values are plain JSON objects; the records here are, but TypeScript cannot see it through their interfaces. */
function asItem(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}

function sameNamespace(left: string[], right: string[]): boolean {
  return left.length === right.length && left.every((label, index) => label === right[index]);
}

/**
 * The bridge keeps one store item per request instead of a queue in its state: a checkpoint would rewrite the whole
 * queue on every run, and the bytes written per request would grow with the queue. The layout is described, and
 * shared with the waiting nodes, in protocol/langgraph-internals.ts.
 */
export class BridgeStore {
  constructor(
    private readonly store: BaseStore,
    private readonly bridge: string,
  ) {}

  private namespace(...labels: string[]): string[] {
    return bridgeNamespace(this.bridge, ...labels);
  }

  /** The lines of one submission, under its tag (a UUID: a valid label, known before the batch id is). */
  private membersNamespace(submissionTag: string): string[] {
    return this.namespace('members', submissionTag);
  }

  /**
   * Runs gets, puts and deletes. A node's store (AsyncBatchedStore) has no batch() of its own: it gathers the calls
   * made in the same tick into one batch, so issuing a slice of calls at once is what batches them.
   */
  async run(operations: Operation[]): Promise<unknown[]> {
    const results: unknown[] = [];
    for (let start = 0; start < operations.length; start += operationsPerCall) {
      const slice = operations.slice(start, start + operationsPerCall);
      results.push(...(await Promise.all(slice.map((operation) => this.runOne(operation)))));
    }
    return results;
  }

  private runOne(operation: Operation): Promise<unknown> {
    if (!('key' in operation) || !('namespace' in operation)) {
      throw new Error('BridgeStore runs only get, put and delete operations');
    }
    if (!('value' in operation)) return this.store.get(operation.namespace, operation.key);
    if (operation.value === null) return this.store.delete(operation.namespace, operation.key);
    return this.store.put(operation.namespace, operation.key, operation.value);
  }

  async getRequests(requestKeys: string[]): Promise<Map<string, RequestRecord>> {
    const results = await this.run(requestKeys.map((key) => ({ namespace: this.namespace('requests'), key })));
    const records = new Map<string, RequestRecord>();
    results.forEach((item, index) => {
      const value = (item as { value?: RequestRecord } | null)?.value;
      if (value) records.set(requestKeys[index], value);
    });
    return records;
  }

  putRequest(record: RequestRecord): Operation {
    return { namespace: this.namespace('requests'), key: record.requestKey, value: asItem(record) };
  }

  deleteRequest(requestKey: string): Operation {
    return { namespace: this.namespace('requests'), key: requestKey, value: null };
  }

  putQueueEntry(entry: QueueEntry): Operation {
    return { namespace: this.namespace('queue'), key: entry.requestKey, value: asItem(entry) };
  }

  deleteQueueEntry(requestKey: string): Operation {
    return { namespace: this.namespace('queue'), key: requestKey, value: null };
  }

  /** The queue, oldest first: by the time each request was queued, never by the store's search order. */
  async listQueue(limit: number): Promise<QueueEntry[]> {
    const entries = await this.listAll<QueueEntry>(this.namespace('queue'), limit);
    return entries.sort(
      (left, right) =>
        left.queuedAt - right.queuedAt ||
        (left.sequence ?? 0) - (right.sequence ?? 0) ||
        (left.requestKey < right.requestKey ? -1 : 1),
    );
  }

  putBatchMember(submissionTag: string, customId: string, member: BatchMember): Operation {
    return { namespace: this.membersNamespace(submissionTag), key: customId, value: asItem(member) };
  }

  deleteBatchMember(submissionTag: string, customId: string): Operation {
    return { namespace: this.membersNamespace(submissionTag), key: customId, value: null };
  }

  /** The lines of a submission by custom id, in the order of its input file (whatever order the store returns). */
  async listBatchMembers(submissionTag: string, expected: number): Promise<Map<string, BatchMember>> {
    const items = await this.listAllItems<BatchMember>(this.membersNamespace(submissionTag), expected + 1);
    items.sort((left, right) => left.value.line - right.value.line);
    return new Map(items.map((item) => [item.key, item.value]));
  }

  putOutbox(entry: OutboxEntry): Operation {
    return { namespace: this.namespace('outbox'), key: entry.requestKey, value: asItem(entry) };
  }

  deleteOutbox(requestKey: string): Operation {
    return { namespace: this.namespace('outbox'), key: requestKey, value: null };
  }

  async listOutbox(limit: number): Promise<OutboxEntry[]> {
    return this.listAll<OutboxEntry>(this.namespace('outbox'), limit);
  }

  /** Requests waiting in the inbox, with their keys (in no particular order: each carries its queuedAt). */
  async listInbox(bridgeThreadId: string, limit: number): Promise<Array<{ key: string; value: unknown }>> {
    return this.listAllItems<unknown>(inboxNamespace(bridgeThreadId), limit);
  }

  /** Taken away by the inbox run before it reads the inbox: from then on, a request put in the inbox needs another run. */
  clearWake(bridgeThreadId: string): Operation {
    return { namespace: wakeNamespace(bridgeThreadId), key: wakeKey, value: null };
  }

  /** Hand-overs kept in the inbox until their thread shows the interrupt, with the checks made so far. */
  async listUnverified(limit: number): Promise<Array<{ key: string; value: unknown }>> {
    return this.listAllItems<unknown>(this.namespace('unverified'), limit);
  }

  deleteInboxItem(bridgeThreadId: string, key: string): Operation {
    return { namespace: inboxNamespace(bridgeThreadId), key, value: null };
  }

  putBatch(batch: InFlightBatch): Operation {
    return { namespace: this.namespace('batches'), key: batch.submissionTag, value: asItem(batch) };
  }

  deleteBatch(submissionTag: string): Operation {
    return { namespace: this.namespace('batches'), key: submissionTag, value: null };
  }

  async listBatches(): Promise<InFlightBatch[]> {
    return this.listAll<InFlightBatch>(this.namespace('batches'), Number.MAX_SAFE_INTEGER);
  }

  async getIdentity(): Promise<DeploymentIdentity | undefined> {
    const item = await this.store.get(this.namespace('identity'), 'deployment');
    return (item?.value as DeploymentIdentity | undefined) ?? undefined;
  }

  putIdentity(identity: DeploymentIdentity): Operation {
    return { namespace: this.namespace('identity'), key: 'deployment', value: asItem(identity) };
  }

  putStray(stray: StrayBatch): Operation {
    return { namespace: this.namespace('strays'), key: stray.batchId, value: asItem(stray) };
  }

  deleteStray(batchId: string): Operation {
    return { namespace: this.namespace('strays'), key: batchId, value: null };
  }

  async listStrays(): Promise<StrayBatch[]> {
    return this.listAll<StrayBatch>(this.namespace('strays'), Number.MAX_SAFE_INTEGER);
  }

  /** A batch this bridge settled (and whose record it deleted), by batch id. */
  putSettled(batchId: string, at: number): Operation {
    return { namespace: this.namespace('settled'), key: batchId, value: { at } };
  }

  deleteSettled(batchId: string): Operation {
    return { namespace: this.namespace('settled'), key: batchId, value: null };
  }

  async listSettled(): Promise<Map<string, number>> {
    const items = await this.listAllItems<{ at: number }>(this.namespace('settled'), Number.MAX_SAFE_INTEGER);
    return new Map(items.map((item) => [item.key, item.value.at]));
  }

  async getNudges(requestKeys: string[]): Promise<Map<string, NudgeRecord>> {
    const results = await this.run(requestKeys.map((key) => ({ namespace: this.namespace('nudges'), key })));
    const nudges = new Map<string, NudgeRecord>();
    results.forEach((item, index) => {
      const value = (item as { value?: NudgeRecord } | null)?.value;
      if (value) nudges.set(requestKeys[index], value);
    });
    return nudges;
  }

  putNudge(requestKey: string, nudge: NudgeRecord): Operation {
    return { namespace: this.namespace('nudges'), key: requestKey, value: asItem(nudge) };
  }

  private async listAll<T>(namespace: string[], limit: number): Promise<T[]> {
    return (await this.listAllItems<T>(namespace, limit)).map((item) => item.value);
  }

  /**
   * Every item of exactly this namespace, up to `limit`. A prefix search also returns deeper namespaces, and on
   * PostgresStore any namespace whose text starts the same (`queue` would find `queue2`): only exact matches count.
   * Paging goes by the raw result count; an item seen twice (the store's order shifted between pages) is kept once.
   */
  private async listAllItems<T>(namespace: string[], limit: number): Promise<Array<{ key: string; value: T }>> {
    const pageSize = storePageSize;
    const items = new Map<string, T>();
    for (let offset = 0; items.size < limit; offset += pageSize) {
      const page = await this.store.search(namespace, { limit: pageSize, offset });
      for (const item of page) {
        if (items.size < limit && sameNamespace(item.namespace, namespace)) items.set(item.key, item.value as T);
      }
      if (page.length < pageSize) break;
    }
    return [...items].map(([key, value]) => ({ key, value }));
  }
}
