// One bridge process on PostgreSQL: runs the bridge graph in-process (PostgresSaver + PostgresStore) for one event,
// against the emulator, and prints what it resumed. With BRIDGE_CRASH_AT=batch-id it dies (exit 137, no cleanup) at
// the moment it would record the batch id the API just gave it: the crash window at submission. The test creates the
// schema once before any process starts.
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import type { Client } from '@langchain/langgraph-sdk';
import { createOpenAIBridge } from '../../../src/bridge/index.js';
import { bridgeNamespace, bridgeThreadId, inboxNamespace, type HandOver } from '../../../src/protocol/index.js';
import { ChaosStore } from '../../support/chaos-store.js';

const { DATABASE_URL, EMULATOR_URL, EMULATOR_KEY, BRIDGE_ID, BRIDGE_EVENT, BRIDGE_CRASH_AT } = process.env;

const checkpointer = PostgresSaver.fromConnString(DATABASE_URL!);
const postgres = PostgresStore.fromConnString(DATABASE_URL!);
const store = new ChaosStore(postgres, { order: 'inner' });
if (BRIDGE_CRASH_AT === 'batch-id') {
  store.setFailWhen(({ namespace, value }) => {
    if (namespace.at(-1) === 'batches' && typeof value?.batchId === 'string') process.exit(137);
    return false;
  });
}

// The test plays the LangGraph API's part: resumes go to stdout (one JSON line each), and a thread that handed a
// request over (its item in the bridge's inbox, then its request record until the outcome is sent) is shown waiting on
// that interrupt to the bridge's checks. Every resume run succeeds.
const bridgeId = BRIDGE_ID!;
const waitingRequests = async (): Promise<Array<Pick<HandOver, 'threadId' | 'interruptId' | 'digest'>>> => {
  const inbox = await postgres.search(inboxNamespace(bridgeThreadId(bridgeId)), { limit: 10_000 });
  const records = await postgres.search(bridgeNamespace(bridgeId, 'requests'), { limit: 10_000 });
  return [
    ...inbox.map((item) => item.value as HandOver),
    ...records
      .map((item) => item.value as HandOver & { status: string })
      .filter((record) => record.status === 'queued' || record.status === 'submitted'),
  ];
};
let runs = 0;
const client = {
  threads: {
    search: async ({ ids }: { ids: string[] }) => {
      const wanted = new Set(ids);
      const byThread = new Map<string, { thread_id: string; status: string; interrupts: { task: unknown[] } }>();
      for (const request of await waitingRequests()) {
        if (!wanted.has(request.threadId) || byThread.has(request.threadId)) continue;
        const pending = {
          id: request.interruptId,
          value: { kind: 'batch-bridge/request', bridge: bridgeId, digest: request.digest },
        };
        byThread.set(request.threadId, {
          thread_id: request.threadId,
          status: 'interrupted',
          interrupts: { task: [pending] },
        });
      }
      return [...byThread.values()];
    },
  },
  runs: {
    create: async (threadId: string, _assistantId: string, payload: { command?: { resume?: unknown } }) => {
      if (payload.command?.resume)
        process.stdout.write(`${JSON.stringify({ threadId, resume: payload.command.resume })}\n`);
      return { run_id: `run-${process.pid}-${(runs += 1)}`, thread_id: threadId, status: 'pending' };
    },
    get: async (threadId: string, runId: string) => ({ run_id: runId, thread_id: threadId, status: 'success' }),
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
