import { createHash } from 'node:crypto';
import type { BaseStore, Operation } from '@langchain/langgraph';
import type { DeliveredOutcome } from '../core/index.js';
import { bridgeNamespace, inboxNamespace, wakeKey, wakeNamespace } from '../protocol/index.js';
import type { InFlightBatch } from './bridge-state.js';

/**
 * The bridge keeps one store item per request instead of a queue in its state: a checkpoint would rewrite the whole
 * queue on every run, and the bytes written per request would grow with the queue. The layout is described, and
 * shared with the waiting nodes, in protocol/langgraph-internals.ts.
 */

export type RequestStatus = 'queued' | 'submitted' | 'delivering' | 'delivered';

export interface RequestRecord {
  requestKey: string;
  threadId: string;
  assistantId: string;
  interruptId: string;
  digest: string;
  /** Absent once delivered. */
  payload?: unknown;
  bytes: number;
  queuedAt: number;
  /** The attempt being made (1 for the first submission). */
  attempt: number;
  status: RequestStatus;
  batchId: string | null;
  customId: string | null;
  submittedAt: number | null;
  /** Present while the outcome waits for its resume run to be accepted. */
  delivery?: DeliveredOutcome;
}

export interface QueueEntry {
  requestKey: string;
  queuedAt: number;
  bytes: number;
  /** Not to be submitted before this time (backoff after token_limit_exceeded). */
  notBefore?: number;
}

export interface BatchMember {
  requestKey: string;
}

export interface OutboxEntry {
  requestKey: string;
  threadId: string;
  assistantId: string;
  interruptId: string;
  attempts: number;
}

/** Store operations are sent in slices so that no single call holds tens of thousands of items. */
const operationsPerCall = 1000;

/** Store values are plain JSON objects; the records here are, but TypeScript cannot see it through their interfaces. */
function asItem(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}

export class BridgeStore {
  constructor(
    private readonly store: BaseStore,
    private readonly bridge: string,
  ) {}

  private namespace(...labels: string[]): string[] {
    return bridgeNamespace(this.bridge, ...labels);
  }

  /** Namespace labels may not hold '.' or ':', which batch ids of other APIs might. */
  private batchNamespace(batchId: string): string[] {
    return this.namespace('batch', createHash('sha256').update(batchId).digest('hex').slice(0, 24));
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

  putQueueEntry(entry: QueueEntry): Operation {
    return { namespace: this.namespace('queue'), key: entry.requestKey, value: asItem(entry) };
  }

  deleteQueueEntry(requestKey: string): Operation {
    return { namespace: this.namespace('queue'), key: requestKey, value: null };
  }

  async listQueue(limit: number): Promise<QueueEntry[]> {
    return this.listAll<QueueEntry>(this.namespace('queue'), limit);
  }

  putBatchMember(batchId: string, customId: string, member: BatchMember): Operation {
    return { namespace: this.batchNamespace(batchId), key: customId, value: asItem(member) };
  }

  deleteBatchMember(batchId: string, customId: string): Operation {
    return { namespace: this.batchNamespace(batchId), key: customId, value: null };
  }

  async listBatchMembers(batchId: string, expected: number): Promise<Map<string, BatchMember>> {
    const items = await this.listAllItems<BatchMember>(this.batchNamespace(batchId), expected + 1);
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

  /** Requests waiting in the inbox, oldest first, with their keys. */
  async listInbox(bridgeThreadId: string, limit: number): Promise<Array<{ key: string; value: unknown }>> {
    return this.listAllItems<unknown>(inboxNamespace(bridgeThreadId), limit);
  }

  /** Taken away by every run before it reads the inbox: from then on, a request put in the inbox needs another run. */
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
    return { namespace: this.namespace('batches'), key: batch.batchId, value: asItem(batch) };
  }

  deleteBatch(batchId: string): Operation {
    return { namespace: this.namespace('batches'), key: batchId, value: null };
  }

  async listBatches(): Promise<InFlightBatch[]> {
    return this.listAll<InFlightBatch>(this.namespace('batches'), Number.MAX_SAFE_INTEGER);
  }

  private async listAll<T>(namespace: string[], limit: number): Promise<T[]> {
    return (await this.listAllItems<T>(namespace, limit)).map((item) => item.value);
  }

  private async listAllItems<T>(namespace: string[], limit: number): Promise<Array<{ key: string; value: T }>> {
    const pageSize = 1000;
    const items: Array<{ key: string; value: T }> = [];
    while (items.length < limit) {
      const page = await this.store.search(namespace, {
        limit: Math.min(pageSize, limit - items.length),
        offset: items.length,
      });
      for (const item of page) {
        // A prefix search also returns deeper namespaces; keep this one only.
        if (item.namespace.length === namespace.length) items.push({ key: item.key, value: item.value as T });
      }
      if (page.length < pageSize) break;
    }
    return items;
  }
}
