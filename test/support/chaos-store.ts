// A LangGraph store wrapper that behaves like the least helpful store the bridge may meet: search results in an order
// that is neither insertion nor updated_at order, writes that fail now and then (before or after they are applied),
// and a `batch()` that is never atomic. The store conformance suite runs the bridge's store operations through it.
import { BaseStore, type Item, type Operation, type OperationResults } from '@langchain/langgraph';
import { createRandom } from '../../src/testing/random.js';

// SearchItem is not re-exported by @langchain/langgraph 1.7: it is what BaseStore.search resolves to.
type SearchItem = Awaited<ReturnType<BaseStore['search']>>[number];

export type ChaosOrder =
  /** The inner store's order, reversed over the whole result set (then paged). */
  | 'reverse'
  /** A stable pseudo-random order (a seeded hash of namespace and key): paging stays consistent between calls. */
  | 'hashed'
  /** A new seeded permutation on every call: even paging through results is unreliable. */
  | 'shuffle'
  /** The inner store's own order (failures only). */
  | 'inner';

export interface ChaosOptions {
  /** Default 'hashed'. */
  order?: ChaosOrder;
  /** Seeds the random order and the random write failures; the same seed gives the same run. Default 1. */
  seed?: number;
  /** Probability (0..1) that any write fails. Default 0. */
  writeFailureRate?: number;
  /** Write numbers (1-based, counted over every put and delete through this wrapper, also inside batch) that fail. */
  failWrites?: number[];
  /**
   * Where a failing write fails: 'before' it reaches the inner store (nothing written), 'after' it was applied (the
   * caller sees an error for a write that happened: a process dying before it learns the outcome), or 'random'.
   * Default 'before'.
   */
  failurePoint?: 'before' | 'after' | 'random';
  /** Fails every write this returns true for (a put has a value; a delete has none), e.g. one namespace's. */
  failWhen?: (write: ChaosWrite) => boolean;
}

export interface ChaosWrite {
  namespace: string[];
  key: string;
  /** The value put, or null for a delete. */
  value: Record<string, any> | null;
}

export class ChaosWriteError extends Error {
  constructor(
    readonly writeNumber: number,
    /** True when the write reached the inner store before the error. */
    readonly applied: boolean,
  ) {
    super(`chaos store: write #${writeNumber} failed ${applied ? 'after it was applied' : 'before it was applied'}`);
    this.name = 'ChaosWriteError';
  }
}

/** FNV-1a over the seed and the text: the 'hashed' order's sort key. */
function hash(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

type SearchOptions = { filter?: Record<string, any>; limit?: number; offset?: number; query?: string };

// Page size used to read the inner store's whole result set before reordering it.
const innerPage = 500;

export class ChaosStore extends BaseStore {
  private readonly random: () => number;
  private readonly failWrites: Set<number>;
  /** Writes attempted so far (put and delete, also inside batch). */
  writes = 0;
  /** Numbers of the writes that failed, in order. */
  readonly failedWrites: number[] = [];

  constructor(
    readonly inner: BaseStore,
    private readonly options: ChaosOptions = {},
  ) {
    super();
    this.random = createRandom(options.seed ?? 1);
    this.failWrites = new Set(options.failWrites ?? []);
  }

  /** Makes write number `n` (1-based, counting every write through this wrapper) fail. */
  failWrite(n: number): void {
    this.failWrites.add(n);
  }

  /** Makes the next write fail. */
  failNextWrite(): void {
    this.failWrites.add(this.writes + 1);
  }

  /** Replaces the `failWhen` predicate (undefined: none). */
  setFailWhen(failWhen: ChaosOptions['failWhen']): void {
    this.options.failWhen = failWhen;
  }

  private async write(apply: () => Promise<unknown>, what: ChaosWrite): Promise<void> {
    this.writes += 1;
    const n = this.writes;
    const fails =
      this.failWrites.has(n) ||
      this.random() < (this.options.writeFailureRate ?? 0) ||
      (this.options.failWhen?.(what) ?? false);
    if (!fails) {
      await apply();
      return;
    }
    const point = this.options.failurePoint ?? 'before';
    const after = point === 'after' || (point === 'random' && this.random() < 0.5);
    this.failedWrites.push(n);
    if (after) await apply();
    throw new ChaosWriteError(n, after);
  }

  private reorder<T extends { namespace: string[]; key: string }>(items: T[]): T[] {
    const order = this.options.order ?? 'hashed';
    const seed = this.options.seed ?? 1;
    if (order === 'inner') return items;
    if (order === 'reverse') return [...items].reverse();
    if (order === 'hashed') {
      const keyed = items.map((item) => ({ item, h: hash(seed, `${item.namespace.join('\u0000')}\u0001${item.key}`) }));
      return keyed.sort((a, b) => a.h - b.h || (a.item.key < b.item.key ? -1 : 1)).map(({ item }) => item);
    }
    const shuffled = [...items];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    return shuffled;
  }

  /** Reads every match from the inner store, reorders the whole set, then applies offset and limit. */
  private async reorderedSearch(
    read: (page: SearchOptions) => Promise<SearchItem[]>,
    options: SearchOptions,
  ): Promise<SearchItem[]> {
    const { limit = 10, offset = 0, ...rest } = options;
    if ((this.options.order ?? 'hashed') === 'inner') return read(options);
    const all: SearchItem[] = [];
    for (let page = 0; ; page += 1) {
      const items = await read({ ...rest, limit: innerPage, offset: page * innerPage });
      all.push(...items);
      if (items.length < innerPage) break;
    }
    return this.reorder(all).slice(offset, offset + limit);
  }

  override async get(namespace: string[], key: string): Promise<Item | null> {
    return this.inner.get(namespace, key);
  }

  override async search(namespacePrefix: string[], options: SearchOptions = {}): Promise<SearchItem[]> {
    return this.reorderedSearch((page) => this.inner.search(namespacePrefix, page), options);
  }

  override async put(
    namespace: string[],
    key: string,
    value: Record<string, any>,
    index?: false | string[],
  ): Promise<void> {
    await this.write(() => this.inner.put(namespace, key, value, index), { namespace, key, value });
  }

  override async delete(namespace: string[], key: string): Promise<void> {
    await this.write(() => this.inner.delete(namespace, key), { namespace, key, value: null });
  }

  override async listNamespaces(options: Parameters<BaseStore['listNamespaces']>[0] = {}): Promise<string[][]> {
    return this.inner.listNamespaces(options);
  }

  /** One operation at a time, like PostgresStore: a failure in the middle leaves the earlier writes applied. */
  override async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    for (const operation of operations) {
      if ('value' in operation) {
        const { namespace, key, value } = operation;
        await this.write(() => this.inner.batch([operation]), { namespace, key, value });
        results.push(undefined);
      } else if ('namespacePrefix' in operation) {
        const { namespacePrefix, filter, limit, offset, query } = operation;
        const read = async (page: SearchOptions) => (await this.inner.batch([{ namespacePrefix, ...page }]))[0];
        results.push(await this.reorderedSearch(read, { filter, limit, offset, query }));
      } else {
        results.push((await this.inner.batch([operation]))[0]);
      }
    }
    return results as OperationResults<Op>;
  }

  override async start(): Promise<void> {
    await this.inner.start();
  }

  override async stop(): Promise<void> {
    await this.inner.stop();
  }
}
