// Loaded into the LangGraph dev server with NODE_OPTIONS=--import (see bench/support/bench-server.ts).
//
// Why a meter instead of watching .langgraph_api/: the dev server keeps everything in memory and rewrites each whole
// file (superjson of all threads, all runs, the whole store) after 3 s without storage access, so the bytes that hit
// the disk depend on when the server happens to pause, not on what the bridge does. What the bridge does write is
// fixed: every checkpoint and pending write of its thread, serialized exactly as they go into the checkpoint file, and
// every store item it puts. This meter counts those at the source (MemorySaver.put/putWrites and InMemoryStore.batch,
// the classes the server's persistence wraps), split into the bridge's thread(s) and namespace(s) versus the rest,
// and writes the counters to BENCH_METER_FILE twice a second while they change.
import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_METER_FILE;
// NODE_OPTIONS reaches the CLI and tsx's wrapper too; only the process running the server's entrypoint is metered.
const isServer = isMainThread && file && /entrypoint\.mjs$/.test(process.argv[1] ?? '');

if (isServer) {
  const { MemorySaver, InMemoryStore } = await import('@langchain/langgraph-checkpoint');
  const bridgeThreads = new Set((process.env.BENCH_BRIDGE_THREADS ?? '').split(',').filter(Boolean));
  const bridgeRoots = new Set((process.env.BENCH_BRIDGE_NAMESPACES ?? 'batch_bridge').split(',').filter(Boolean));
  const counter = () => ({ bytes: 0, count: 0 });
  const counters = {
    bridgeCheckpoints: counter(),
    bridgeWrites: counter(),
    otherCheckpoints: counter(),
    otherWrites: counter(),
    bridgeStorePuts: counter(),
    bridgeStoreDeletes: counter(),
    otherStorePuts: counter(),
  };
  let changed = false;
  const add = (name, bytes) => {
    counters[name].bytes += bytes;
    counters[name].count += 1;
    changed = true;
  };

  const put = MemorySaver.prototype.put;
  MemorySaver.prototype.put = async function meteredPut(config, checkpoint, metadata) {
    const result = await put.call(this, config, checkpoint, metadata);
    const { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: id } = result.configurable;
    const saved = this.storage[threadId]?.[ns]?.[id];
    if (saved)
      add(
        bridgeThreads.has(threadId) ? 'bridgeCheckpoints' : 'otherCheckpoints',
        saved[0].byteLength + saved[1].byteLength,
      );
    return result;
  };

  const specialIndexes = { __error__: -1, __scheduled__: -2, __interrupt__: -3, __resume__: -4 };
  const putWrites = MemorySaver.prototype.putWrites;
  MemorySaver.prototype.putWrites = async function meteredPutWrites(config, writes, taskId, taskPath) {
    const { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: id } = config.configurable ?? {};
    // The same keys MemorySaver uses (special channels have fixed negative indexes). Entries that were there before
    // are not new writes; looking them up by key keeps the meter O(1) per write, also with 10,000 tasks in one step.
    const key = JSON.stringify([threadId, ns, id]);
    const innerKeys = writes.map(([channel], index) => `${taskId},${specialIndexes[channel] || index}`);
    const before = innerKeys.map((inner) => this.writes[key]?.[inner]);
    await putWrites.call(this, config, writes, taskId, taskPath);
    innerKeys.forEach((inner, index) => {
      const entry = this.writes[key]?.[inner];
      if (entry && entry !== before[index])
        add(bridgeThreads.has(threadId) ? 'bridgeWrites' : 'otherWrites', entry[2]?.byteLength ?? 0);
    });
  };

  const batch = InMemoryStore.prototype.batch;
  InMemoryStore.prototype.batch = async function meteredBatch(operations) {
    for (const op of operations) {
      if (!('value' in op) || !('namespace' in op)) continue;
      const ours = bridgeRoots.has(op.namespace[0]);
      // An item as a database would hold it: namespace, key and the JSON value; a delete writes its key.
      const keyBytes = Buffer.byteLength(op.namespace.join('.')) + Buffer.byteLength(op.key);
      if (op.value === null) {
        if (ours) add('bridgeStoreDeletes', keyBytes);
      } else {
        add(ours ? 'bridgeStorePuts' : 'otherStorePuts', keyBytes + Buffer.byteLength(JSON.stringify(op.value)));
      }
    }
    return batch.call(this, operations);
  };

  // Event-loop stalls: the dev server answers HTTP, runs graphs and persists on one thread, so a long synchronous
  // stretch (its own or a graph's) holds up every run and request. The longest ones are kept with their time.
  const stalls = [];
  let lastTick = Date.now();
  setInterval(() => {
    const now = Date.now();
    const lag = now - lastTick - 100;
    lastTick = now;
    if (lag < 1000) return;
    stalls.push({ at: now, ms: lag });
    stalls.sort((a, b) => b.ms - a.ms).splice(20);
    changed = true;
  }, 100).unref();

  const flush = () => {
    if (!changed) return;
    changed = false;
    writeFileSync(file, JSON.stringify({ at: Date.now(), counters, stalls }));
  };
  writeFileSync(file, JSON.stringify({ at: Date.now(), counters, stalls }));
  setInterval(flush, 500).unref();

  // --cpu-prof is refused in NODE_OPTIONS, so the profiler is driven through the inspector: it runs from start-up
  // until the benchmark creates `<BENCH_CPU_PROFILE>.stop`, then the profile is written to BENCH_CPU_PROFILE.
  const profilePath = process.env.BENCH_CPU_PROFILE;
  if (profilePath) {
    const session = new Session();
    session.connect();
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    const watch = setInterval(() => {
      if (!existsSync(`${profilePath}.stop`)) return;
      clearInterval(watch);
      session.post('Profiler.stop', (error, result) => {
        writeFileSync(profilePath, JSON.stringify(error ? { error: String(error) } : result.profile));
      });
    }, 250);
    watch.unref();
  }
}
