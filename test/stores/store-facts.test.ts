// The store behaviours the bridge has to live with, asserted as they are today on InMemoryStore (what `langgraphjs
// dev` and in-process graphs use), PostgresStore on a real PostgreSQL (@langchain/langgraph-checkpoint-postgres) and
// the ChaosStore wrapper the conformance suite uses. When a library update changes one, this file says which.
import { BaseStore, InMemoryStore } from '@langchain/langgraph';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFromStoreLabel, storeLabel } from '../../src/protocol/store-label.js';
import { ChaosStore, ChaosWriteError } from '../support/chaos-store.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

type StoreName = 'memory' | 'postgres' | 'chaos';
const names: StoreName[] = ['memory', 'postgres', 'chaos'];
const stores = {} as Record<StoreName, BaseStore>;
let database: TestDatabase | undefined;
let postgres: PostgresStore | undefined;

beforeAll(async () => {
  database = await testDatabase('store_facts');
  postgres = PostgresStore.fromConnString(database.url);
  await postgres.setup();
  stores.memory = new InMemoryStore();
  stores.postgres = postgres;
  // Reverse order over a memory store: a third order, neither insertion nor updated_at.
  stores.chaos = new ChaosStore(new InMemoryStore(), { order: 'reverse' });
});

afterAll(async () => {
  await postgres?.stop();
  await database?.drop();
});

// Every test writes under its own root label. All roots have the same length: PostgresStore's prefix search would
// otherwise find `t1`'s items when searching `t1`'s sibling `t10` (see the prefix test below).
let rootCounter = 0;
const freshRoot = () => `root${String((rootCounter += 1)).padStart(4, '0')}`;

async function outcome(attempt: () => Promise<unknown>): Promise<'accepted' | string> {
  try {
    await attempt();
    return 'accepted';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe.each(names)('label rules on %s', (name) => {
  const store = () => stores[name];
  const refusedBy = (expected: Record<StoreName, RegExp | 'accepted'>) => expected[name];

  it.each([
    ['my.bridge', { memory: /periods/, postgres: /periods/, chaos: /periods/ }],
    ['', { memory: /empty/, postgres: /empty/, chaos: /empty/ }],
    ['batch_bridge', { memory: 'accepted', postgres: /LIKE wildcards/, chaos: 'accepted' }],
    ['_inbox', { memory: 'accepted', postgres: /LIKE wildcards/, chaos: 'accepted' }],
    ['100%', { memory: 'accepted', postgres: /LIKE wildcards/, chaos: 'accepted' }],
    ['back\\slash', { memory: 'accepted', postgres: /LIKE wildcards/, chaos: 'accepted' }],
    ['a:b', { memory: /colons/, postgres: 'accepted', chaos: /colons/ }],
    ['nul\u0000', { memory: /NUL/, postgres: /invalid byte sequence/, chaos: /NUL/ }],
  ] as const)('put under [root, %j]', async (label, expected) => {
    const result = await outcome(() => store().put([freshRoot(), label], 'k', { v: 1 }));
    const wanted = refusedBy(expected);
    if (wanted === 'accepted') expect(result).toBe('accepted');
    else expect(result).toMatch(wanted);
  });

  it('refuses the root label `langgraph` in put, accepts it below the root', async () => {
    expect(await outcome(() => store().put(['langgraph', 'x'], 'k', { v: 1 }))).toMatch(/Root label/);
    expect(await outcome(() => store().put([freshRoot(), 'langgraph'], 'k', { v: 1 }))).toBe('accepted');
  });

  it('reads under root `langgraph`: memory allows get and batch writes there, PostgresStore refuses everything', async () => {
    const get = await outcome(() => store().get(['langgraph'], 'k'));
    const batchPut = await outcome(() => store().batch([{ namespace: ['langgraph'], key: 'k', value: { v: 1 } }]));
    if (name === 'postgres') {
      expect(get).toMatch(/Root label/);
      expect(batchPut).toMatch(/Root label/);
    } else {
      // BaseStore.get validates with allowReservedRoot; InMemoryStore.batch does too, so only put() guards it.
      expect(get).toBe('accepted');
      expect(batchPut).toBe('accepted');
    }
  });

  it('keys are free text on every store', async () => {
    const root = freshRoot();
    await store().put([root], 'a.b_%:c\\d', { v: 1 });
    expect((await store().get([root], 'a.b_%:c\\d'))?.value).toEqual({ v: 1 });
  });

  it('accepts every label storeLabel makes and gives the namespace back unchanged', async () => {
    const ids = [
      'batch_bridge',
      'my.bridge',
      'langgraph',
      '',
      '_inbox',
      '_wake',
      'a:b',
      '100%',
      'café',
      '🦜',
      'x\u0000',
    ];
    for (const [index, id] of ids.entries()) {
      // The value holds the index, not the id: PostgreSQL's jsonb refuses a NUL character in a string.
      const namespace = [storeLabel(id), storeLabel('_inbox'), 'thread-1'];
      await store().put(namespace, 'request', { index });
      const item = await store().get(namespace, 'request');
      expect(item?.value, id).toEqual({ index });
      expect(item?.namespace, id).toEqual(namespace);
      expect(idFromStoreLabel(item!.namespace[0])).toBe(id);
      const found = await store().search([storeLabel(id), storeLabel('_inbox')]);
      expect(
        found.map((entry) => entry.value),
        id,
      ).toEqual([{ index }]);
    }
  });
});

describe('labels with `:` on PostgresStore', () => {
  it('are joined with `:` inside: [`a:b`] comes back as [`a`, `b`] and is the same item as [`a`, `b`]', async () => {
    const root = freshRoot();
    await stores.postgres.put([`${root}:b`], 'k', { v: 1 });
    expect((await stores.postgres.get([`${root}:b`], 'k'))?.namespace).toEqual([root, 'b']);
    await stores.postgres.put([root, 'b'], 'k', { v: 2 });
    expect((await stores.postgres.get([`${root}:b`], 'k'))?.value).toEqual({ v: 2 });
  });
});

describe('namespace prefix search', () => {
  it('memory matches whole labels; PostgresStore matches text (LIKE `prefix%`), also in listNamespaces', async () => {
    for (const name of names) {
      const root = `p${name}`;
      await stores[name].put([root, 'queue'], 'k', { v: 1 });
      await stores[name].put([root, 'queue2'], 'k', { v: 2 });
      const found = (await stores[name].search([root, 'queue'])).map((item) => item.namespace.join('/'));
      const listed = (await stores[name].listNamespaces({ prefix: [root, 'queue'] })).map((ns) => ns.join('/'));
      const text = name === 'postgres';
      expect(found.sort(), name).toEqual(text ? [`${root}/queue`, `${root}/queue2`] : [`${root}/queue`]);
      expect(listed.sort(), name).toEqual(text ? [`${root}/queue`, `${root}/queue2`] : [`${root}/queue`]);
    }
  });

  it('an empty prefix searches everything in memory and is refused by PostgresStore', async () => {
    expect(await outcome(() => stores.memory.search([]))).toBe('accepted');
    expect(await outcome(() => stores.postgres.search([]))).toMatch(/empty/);
  });
});

describe('search order', () => {
  // a, b, c written in that order, then a updated.
  const expected: Record<StoreName, { search: string[]; batchSearch: string[] }> = {
    memory: { search: ['a', 'b', 'c'], batchSearch: ['a', 'b', 'c'] }, // insertion order; an update keeps its place
    postgres: { search: ['a', 'c', 'b'], batchSearch: ['c', 'b', 'a'] }, // search: updated_at DESC; batch: created_at DESC
    chaos: { search: ['c', 'b', 'a'], batchSearch: ['c', 'b', 'a'] }, // the inner memory order reversed
  };
  it.each(names)('%s', async (name) => {
    const store = stores[name];
    const root = freshRoot();
    for (const key of ['a', 'b', 'c', 'a']) await store.put([root], key, { key });
    expect((await store.search([root])).map((item) => item.key)).toEqual(expected[name].search);
    const [viaBatch] = await store.batch([{ namespacePrefix: [root], limit: 10, offset: 0 }]);
    expect(viaBatch.map((item) => item.key)).toEqual(expected[name].batchSearch);
  });
});

describe.each(names)('paging on %s', (name) => {
  it('returns 10 by default; offset/limit pages cover every item once when nothing changes in between', async () => {
    const store = stores[name];
    const root = freshRoot();
    for (let i = 0; i < 25; i += 1) await store.put([root], `k${String(i).padStart(2, '0')}`, { i });
    expect(await store.search([root])).toHaveLength(10);
    const pages = await Promise.all([0, 10, 20].map((offset) => store.search([root], { offset, limit: 10 })));
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(new Set(pages.flat().map((item) => item.key)).size).toBe(25);
    expect(await store.search([root], { offset: 25, limit: 10 })).toEqual([]);
  });
});

describe('batch() atomicity: [put ok, put with an invalid label, put ok]', () => {
  it.each([
    ['memory', true],
    ['postgres', false],
    ['chaos', false],
  ] as const)('%s: all-or-nothing = %s', async (name, atomic) => {
    const store = stores[name];
    const root = freshRoot();
    const result = await outcome(() =>
      store.batch([
        { namespace: [root], key: 'first', value: { v: 1 } },
        { namespace: [root, 'bad.label'], key: 'middle', value: { v: 2 } },
        { namespace: [root], key: 'last', value: { v: 3 } },
      ]),
    );
    expect(result).toMatch(/periods/);
    // InMemoryStore validates every operation before applying any put; PostgresStore runs them one by one, each in
    // its own implicit transaction, so the first put stays written.
    expect(await store.get([root], 'first')).toEqual(atomic ? null : expect.objectContaining({ value: { v: 1 } }));
    expect(await store.get([root], 'last')).toBeNull();
  });

  it('PostgresStore keeps earlier writes when the database itself fails an operation in the middle', async () => {
    const root = freshRoot();
    // jsonb refuses the \u0000 escape: an error raised by PostgreSQL, not by the store's validation.
    const result = await outcome(() =>
      stores.postgres.batch([
        { namespace: [root], key: 'first', value: { v: 1 } },
        { namespace: [root], key: 'middle', value: { text: 'nul\u0000' } },
        { namespace: [root], key: 'last', value: { v: 3 } },
      ]),
    );
    expect(result).toMatch(/unsupported Unicode escape sequence/);
    expect((await stores.postgres.get([root], 'first'))?.value).toEqual({ v: 1 });
    expect(await stores.postgres.get([root], 'last')).toBeNull();
  });
});

describe('ChaosStore', () => {
  it('fails exactly the Nth write, before or after applying it, also inside batch', async () => {
    const before = new ChaosStore(new InMemoryStore(), { failWrites: [2] });
    await before.put(['c'], 'one', { v: 1 });
    await expect(before.batch([{ namespace: ['c'], key: 'two', value: { v: 2 } }])).rejects.toThrow(ChaosWriteError);
    expect(await before.get(['c'], 'two')).toBeNull();
    const after = new ChaosStore(new InMemoryStore(), { failurePoint: 'after' });
    after.failNextWrite();
    await expect(after.put(['c'], 'one', { v: 1 })).rejects.toMatchObject({ writeNumber: 1, applied: true });
    expect((await after.get(['c'], 'one'))?.value).toEqual({ v: 1 });
  });

  it('fails writes at a seeded rate, the same ones for the same seed', async () => {
    const failures = async (seed: number) => {
      const store = new ChaosStore(new InMemoryStore(), { seed, writeFailureRate: 0.3 });
      for (let i = 0; i < 50; i += 1) await store.put(['c'], `k${i}`, { i }).catch(() => undefined);
      return store.failedWrites;
    };
    const first = await failures(7);
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(30);
    expect(await failures(7)).toEqual(first);
    expect(await failures(8)).not.toEqual(first);
  });

  it('hashed order is stable across calls, so paging works; shuffle is reproducible from the seed', async () => {
    const inner = new InMemoryStore();
    for (let i = 0; i < 30; i += 1) await inner.put(['c'], `k${i}`, { i });
    const hashed = new ChaosStore(inner, { order: 'hashed', seed: 3 });
    const all = (await hashed.search(['c'], { limit: 30 })).map((item) => item.key);
    expect(all).not.toEqual(Array.from({ length: 30 }, (_, i) => `k${i}`));
    const paged = [0, 10, 20].map((offset) => hashed.search(['c'], { offset, limit: 10 }));
    expect((await Promise.all(paged)).flat().map((item) => item.key)).toEqual(all);
    const shuffleKeys = async () =>
      (await new ChaosStore(inner, { order: 'shuffle', seed: 5 }).search(['c'], { limit: 30 })).map((item) => item.key);
    expect(await shuffleKeys()).toEqual(await shuffleKeys());
  });
});
