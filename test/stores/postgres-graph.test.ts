// A LangGraph graph with an interrupt, checkpointed by PostgresSaver and writing to PostgresStore on the real server,
// resumed by a second saver and store (as a restarted process would be): the in-process setup the bridge graph's own
// PostgreSQL tests will use.
import { Annotation, Command, interrupt, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeLabel } from '../../src/protocol/store-label.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase | undefined;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  database = await testDatabase('graph');
});

afterAll(async () => {
  for (const resource of opened) await resource.close().catch(() => undefined);
  await database?.drop();
});

/** A saver and a store on the test database, as one process would open them; closed in afterAll. */
async function open(): Promise<{ checkpointer: PostgresSaver; store: PostgresStore }> {
  const checkpointer = PostgresSaver.fromConnString(database!.url);
  const store = PostgresStore.fromConnString(database!.url);
  opened.push({ close: () => checkpointer.end() }, { close: () => store.stop() });
  await checkpointer.setup();
  await store.setup();
  return { checkpointer, store };
}

const namespace = [storeLabel('batch_bridge'), storeLabel('_inbox')];

const State = Annotation.Root({ question: Annotation<string>(), answer: Annotation<string>() });

function build(parts: { checkpointer: PostgresSaver; store: PostgresStore }) {
  return new StateGraph(State)
    .addNode('ask', async ({ question }, config: LangGraphRunnableConfig) => {
      // Runs again from the top on resume: the put is an idempotent upsert, like the bridge's hand-over.
      await config.store!.put(namespace, 'pending', { question });
      const answer = interrupt<string, string>(question);
      await config.store!.put(namespace, 'answered', { question, answer });
      return { answer };
    })
    .addEdge('__start__', 'ask')
    .compile(parts);
}

describe('PostgresSaver + PostgresStore on the real server', () => {
  it('interrupts, survives a new saver and store, and resumes with the answer', async () => {
    const config = { configurable: { thread_id: 'postgres-graph-1' } };
    const first = build(await open());
    await first.invoke({ question: 'Proceed?' }, config);
    expect((await first.getState(config)).next).toEqual(['ask']);

    // What a second process sees: the checkpoint and the store item are in PostgreSQL, not in the first objects.
    const second = await open();
    const resumed = build(second);
    const state = await resumed.getState(config);
    expect(state.tasks.flatMap((task) => task.interrupts.map((entry) => entry.value))).toEqual(['Proceed?']);
    expect((await second.store.get(namespace, 'pending'))?.value).toEqual({ question: 'Proceed?' });

    const done = await resumed.invoke(new Command({ resume: 'yes' }), config);
    expect(done.answer).toBe('yes');
    expect((await second.store.get(namespace, 'answered'))?.value).toEqual({ question: 'Proceed?', answer: 'yes' });
    expect((await resumed.getState(config)).next).toEqual([]);
  });
});
