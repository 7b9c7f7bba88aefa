import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@langchain/langgraph-sdk';
import { bridgeThreadId } from '../../src/protocol/index.js';
import { startLangGraphDevServer, type RunningLangGraphDevServer } from '../../src/testing/langgraph-dev-server.js';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';

const benchFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const agents = path.join(benchFolder, 'graphs/agents.ts');
const bridges = path.join(benchFolder, 'graphs/bridges.ts');

export const benchGraphs: Record<string, string> = {
  batch_bridge: `${bridges}:batchBridge`,
  seed_bridge: `${bridges}:seedBridge`,
  floor: `${agents}:floorThreads`,
  floor_fanout: `${agents}:floorFanout`,
  direct: `${agents}:directThreads`,
  direct_fanout: `${agents}:directFanout`,
  bridge: `${agents}:bridgeThreads`,
  bridge_fanout: `${agents}:bridgeFanout`,
  seed: `${agents}:seedThreads`,
  seed_fanout: `${agents}:seedFanout`,
  interrupt: `${agents}:interruptThreads`,
  interrupt_fanout: `${agents}:interruptFanout`,
};

export const bridgeThreads = { bridge: bridgeThreadId('batch_bridge'), seed: bridgeThreadId('seed_bridge') };

export interface MeterCounters {
  bridgeCheckpoints: { bytes: number; count: number };
  bridgeWrites: { bytes: number; count: number };
  otherCheckpoints: { bytes: number; count: number };
  otherWrites: { bytes: number; count: number };
  bridgeStorePuts: { bytes: number; count: number };
  bridgeStoreDeletes: { bytes: number; count: number };
  otherStorePuts: { bytes: number; count: number };
}

export interface BenchServer {
  emulator: RunningEmulator;
  server: RunningLangGraphDevServer;
  client: Client;
  /** The process that runs the server (not the CLI, not tsx's wrapper). */
  innerPid: number | undefined;
  /** VmHWM of the server process: its peak resident memory since it started, in bytes. */
  peakMemoryBytes(): Promise<number | undefined>;
  meter(): Promise<{ counters: MeterCounters; stalls: Array<{ at: number; ms: number }> } | undefined>;
  /** Stops the CPU profiler (when profiling) and waits until the profile is written. */
  stopCpuProfile(): Promise<void>;
  /** Stops the server cleanly (it saves its files) and returns the sizes of the files in `.langgraph_api/`. */
  stopAndMeasureDataFolder(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface BenchServerOptions {
  /** The scenario's N: both bridges flush when this many are queued. */
  flushAt: number;
  workers?: number;
  /** Tasks of one fan-out run at once (LangGraph's maxConcurrency); 0 for unbounded. */
  fanoutConcurrency?: number;
  /** Profile the server process's CPU from start-up; `stopCpuProfile()` writes it here (a .cpuprofile file). */
  cpuProfilePath?: string;
}

/** Servers not closed yet: an interrupted benchmark (Ctrl-C) stops them, since they run in their own process group. */
const open = new Set<BenchServer>();
let stopOnSignal = false;

function closeOnSignal(): void {
  if (stopOnSignal) return;
  stopOnSignal = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping ${open.size} benchmark server(s)`);
      void Promise.allSettled([...open].map((env) => env.close())).then(() => process.exit(130));
    });
  }
}

/** One fresh emulator and one fresh `langgraphjs dev` per scenario, so peak memory and files belong to it alone. */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const emulator = await startOpenAIBatchEmulator({ timings: { validatingMs: 0, inProgressMs: 0, finalizingMs: 0 } });
  const directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-bench-'));
  const meterFile = path.join(directory, 'bench-meter.json');
  // A profile or stop file left by an earlier run would end this profile at once.
  if (options.cpuProfilePath)
    await Promise.all([
      rm(options.cpuProfilePath, { force: true }),
      rm(`${options.cpuProfilePath}.stop`, { force: true }),
    ]);
  const meterModule = pathToFileURL(path.join(benchFolder, 'support/write-meter.mjs')).href;
  let server: RunningLangGraphDevServer;
  try {
    server = await startLangGraphDevServer({
      graphs: benchGraphs,
      directory,
      workers: options.workers ?? 10,
      // Saving tens of thousands of threads, runs and store items takes the dev server longer than a test's 15 s.
      stopTimeoutMs: 120_000,
      env: {
        OPENAI_BASE_URL: emulator.baseURL,
        OPENAI_API_KEY: 'sk-bench-offline-emulator',
        BENCH_FLUSH_AT: String(options.flushAt),
        BENCH_FANOUT_CONCURRENCY:
          options.fanoutConcurrency === undefined ? undefined : String(options.fanoutConcurrency),
        BENCH_METER_FILE: meterFile,
        BENCH_BRIDGE_THREADS: `${bridgeThreads.bridge},${bridgeThreads.seed}`,
        BENCH_BRIDGE_NAMESPACES: 'batch_bridge',
        NODE_OPTIONS: `--import=${meterModule}`,
        BENCH_CPU_PROFILE: options.cpuProfilePath,
        LOG_LEVEL: 'warn',
      },
    });
  } catch (error) {
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  // The launcher runs the server as one process of its own, whose pid it knows.
  const innerPid: number | undefined = server.pid;
  const client = new Client({ apiUrl: server.url, callerOptions: { maxConcurrency: 32, maxRetries: 2 } });
  let stopped = false;
  closeOnSignal();
  const env: BenchServer = {
    emulator,
    server,
    client,
    innerPid,
    async peakMemoryBytes() {
      if (innerPid === undefined) return undefined;
      const status = await readFile(`/proc/${innerPid}/status`, 'utf8').catch(() => '');
      const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) * 1024 : undefined;
    },
    async meter() {
      const text = await readFile(meterFile, 'utf8').catch(() => undefined);
      return text ? JSON.parse(text) : undefined;
    },
    async stopCpuProfile() {
      const profile = options.cpuProfilePath;
      if (!profile) return;
      await writeFile(`${profile}.stop`, '');
      for (let waited = 0; waited < 60_000 && !(await stat(profile).catch(() => undefined)); waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async stopAndMeasureDataFolder() {
      await server.stop();
      stopped = true;
      const folder = path.join(directory, '.langgraph_api');
      const sizes: Record<string, number> = {};
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        const info = await stat(path.join(folder, name));
        // The launcher's .last-good/ copies are not the server's data.
        if (info.isFile()) sizes[name] = info.size;
      }
      return sizes;
    },
    async close() {
      open.delete(env);
      if (!stopped) await server.stop().catch(() => undefined);
      await emulator.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
  open.add(env);
  return env;
}
