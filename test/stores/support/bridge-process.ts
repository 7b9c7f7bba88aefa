// One bridge process on PostgreSQL: runs the bridge graph in-process (PostgresSaver + PostgresStore) for one event,
// against the emulator, and prints what it resumed. With BRIDGE_CRASH_AT=batch-id it dies (exit 137, no cleanup) at
// the moment it would record the batch id the API just gave it: the crash window at submission.
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import type { Client } from '@langchain/langgraph-sdk';
import { createOpenAIBridge } from '../../../src/bridge/index.js';
import { bridgeThreadId, inboxNamespace, type HandOver } from '../../../src/protocol/index.js';
import { ChaosStore } from '../../support/chaos-store.js';

const { DATABASE_URL, EMULATOR_URL, EMULATOR_KEY, BRIDGE_ID, BRIDGE_EVENT, BRIDGE_CRASH_AT } = process.env;

const checkpointer = PostgresSaver.fromConnString(DATABASE_URL!);
const postgres = PostgresStore.fromConnString(DATABASE_URL!);
await checkpointer.setup();
await postgres.setup();
const store = new ChaosStore(postgres, { order: 'inner' });
if (BRIDGE_CRASH_AT === 'batch-id') {
  store.setFailWhen(({ namespace, value }) => {
    if (namespace.at(-1) === 'batches' && typeof value?.batchId === 'string') process.exit(137);
    return false;
  });
}

// The test plays the LangGraph API's part: resumes go to stdout (one JSON line each), and the threads that handed a
// request over (their items in the bridge's inbox) are shown waiting on that interrupt to the bridge's check.
const bridgeId = BRIDGE_ID!;
const client = {
  threads: {
    search: async ({ ids }: { ids: string[] }) => {
      const inbox = await postgres.search(inboxNamespace(bridgeThreadId(bridgeId)), { limit: 10_000 });
      const wanted = new Set(ids);
      return inbox
        .map((item) => item.value as HandOver)
        .filter((request) => wanted.has(request.threadId))
        .map((request) => ({
          thread_id: request.threadId,
          status: 'interrupted',
          interrupts: {
            task: [
              {
                id: request.interruptId,
                value: { kind: 'batch-bridge/request', bridge: bridgeId, digest: request.digest },
              },
            ],
          },
        }));
    },
  },
  runs: {
    create: async (threadId: string, _assistantId: string, payload: { command?: { resume?: unknown } }) => {
      if (payload.command?.resume)
        process.stdout.write(`${JSON.stringify({ threadId, resume: payload.command.resume })}\n`);
      return {};
    },
  },
} as unknown as Client;

const bridge = createOpenAIBridge({
  openai: { apiKey: EMULATOR_KEY, baseURL: EMULATOR_URL, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
  maxWaitMs: 0,
  pollIntervalMs: 1,
  client,
});
bridge.checkpointer = checkpointer;
bridge.store = store;
const values = await bridge.invoke(
  { event: JSON.parse(BRIDGE_EVENT!) },
  { configurable: { thread_id: bridgeThreadId(bridgeId), graph_id: bridgeId, assistant_id: bridgeId } },
);
process.stderr.write(`${JSON.stringify({ batches: values.batches.length, errors: values.recentErrors })}\n`);
await postgres.stop();
await checkpointer.end();
