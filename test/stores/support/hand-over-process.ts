// One agent process handing requests over to a bridge on PostgreSQL, as waiting nodes on several server processes do
// at once: each request goes into the bridge thread's inbox in the shared store. The schema is already there (the test
// creates it once, as a deployment's migration does): PostgresStore.setup() run by several processes at once on an
// empty database can fail with a duplicate key in pg_type.
import { PostgresStore } from '@langchain/langgraph-checkpoint-postgres/store';
import { handOver } from './bridge-on-store.js';

const { DATABASE_URL, BRIDGE_ID, HAND_OVERS, PROCESS_NAME } = process.env;
const store = PostgresStore.fromConnString(DATABASE_URL!);
const requests = await Promise.all(
  Array.from({ length: Number(HAND_OVERS) }, (_, index) =>
    handOver(store, BRIDGE_ID!, `${PROCESS_NAME} request ${index}`),
  ),
);
process.stdout.write(`${JSON.stringify(requests.map((request) => request.threadId))}\n`);
await store.stop();
