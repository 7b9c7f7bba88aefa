// Issue 16's scenario with a crash instead of a Ctrl-C: one agent graph, 20 threads, a 15-line batch in flight and 5
// requests queued, then kill -9 of the launcher's whole process group and of its server (nothing can save), and a
// restart on the same folder. The data files keep each its last save (up to ~10 s old, each saved on its own), so
// what survives varies from run to run; what must hold in every run: a thread whose state survived is answered once
// with its own answer, a batch nobody can receive is cancelled, and no request is billed twice (the emulator's
// record: each custom id, and each thread's prompt, in at most one batch that was not cancelled).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@langchain/langgraph-sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bridgeThreadId } from '../../src/index.js';
import { startOpenAIBatchEmulator } from '../../src/testing/index.js';
import type { RunningEmulator } from '../../src/testing/types.js';
import { finishedThread, linesMentioning, waitFor } from '../e2e/support/e2e-environment.js';
import { startLauncher, type LauncherProcess } from './support/launcher-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const apiKey = 'sk-test-batch-bridge-kill-9-0123456789';
const bridge = 'crash_bridge';
const runs = Number(process.env.BATCH_BRIDGE_KILL_RUNS ?? 3);

let emulator: RunningEmulator;
let directory: string;
let launcher: LauncherProcess | undefined;

beforeAll(async () => {
  emulator = await startOpenAIBatchEmulator({ apiKey });
  directory = await mkdtemp(path.join(tmpdir(), 'batch-bridge-kill-9-'));
  const graphs = {
    single: path.relative(directory, path.join(here, '../e2e/graphs/agents.ts')) + ':single',
    [bridge]: path.relative(directory, path.join(here, 'graphs/crash-bridge.ts')) + ':crashBridge',
  };
  await writeFile(path.join(directory, 'langgraph.json'), JSON.stringify({ graphs }));
});

afterAll(async () => {
  await launcher?.forceStop();
  await emulator?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

interface BridgeView {
  queued: number;
  batches: unknown[];
  reconciliation?: {
    at: string | null;
    pendingBatches: number;
    adoptedRequests: number;
    nudgedThreads: number;
    orphans: Array<{ batchId: string; action: string; provablyOurs: boolean }>;
  };
}

interface CrashOutcome {
  answered: number;
  answeredTwice: number;
  wrongAnswer: number;
  lostThreads: number;
  batches: number;
  cancelledBatches: number;
  /** Custom ids (and prompts) in more than one batch that was not cancelled. */
  billedTwice: number;
  promptsBilledTwice: number;
  /** Batches not cancelled whose lines reach no answered thread. */
  unreachableBatches: number;
  adopted: number;
  nudged: number;
  calls: Record<string, number>;
}

const env = () => ({ OPENAI_BASE_URL: emulator.baseURL, OPENAI_API_KEY: apiKey });
const sdk = (at: LauncherProcess) => new Client({ apiUrl: at.url, callerOptions: { maxConcurrency: 32 } });
const view = async (at: LauncherProcess) =>
  (await sdk(at).threads.getState(bridgeThreadId(bridge))).values as unknown as BridgeView;
const prompt = (tag: string, index: number) => `Question ${index} ${tag}`;

async function startThreads(client: Client, tag: string, from: number, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, offset) => {
      const thread = await client.threads.create();
      await client.runs.create(thread.thread_id, 'single', {
        input: { prompt: prompt(tag, from + offset), bridge },
        multitaskStrategy: 'enqueue',
      });
      return thread.thread_id;
    }),
  );
}

/** The first thread ever: the bridge creates its deployment identity, which must be on disk before any crash. */
async function warmUp(at: LauncherProcess): Promise<void> {
  const [threadId] = await startThreads(sdk(at), 'warm-up', 0, 1);
  await writeFile(path.join(directory, 'drain'), '');
  emulator.setTimings({ inProgressMs: 50 });
  await finishedThread(sdk(at), threadId, 60_000);
  await rm(path.join(directory, 'drain'), { force: true });
  const folder = path.join(directory, '.langgraph_api');
  // A server killed before its first saves loses everything; the scenario starts from a server that has saved its
  // threads, its checkpoints and the bridge's identity once.
  await waitFor(
    async () => {
      const names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
      const texts = await Promise.all(names.map((name) => readFile(path.join(folder, name), 'utf8')));
      return names.length >= 3 &&
        texts.every((text) => text.includes(threadId)) &&
        texts.some((text) => text.includes('deploymentId'))
        ? true
        : undefined;
    },
    'every data file to be saved with the first thread and the bridge identity',
    60_000,
  );
}

async function crashAndRestart(tag: string, pauseMs: number): Promise<CrashOutcome> {
  const openai = new OpenAI({ apiKey, baseURL: emulator.baseURL, maxRetries: 0 });
  const callsBefore = emulator.record().calls;
  emulator.setTimings({ inProgressMs: 10 * 60_000 });
  const before = sdk(launcher!);
  const inFlight = await startThreads(before, tag, 0, 15);
  await waitFor(() => (linesMentioning(emulator, tag).length === 15 ? true : undefined), 'the 15-line batch');
  await waitFor(async () => ((await view(launcher!)).batches.length === 1 ? true : undefined), 'the batch recorded');
  const queued = await startThreads(before, tag, 15, 5);
  await waitFor(async () => ((await view(launcher!)).queued === 5 ? true : undefined), 'five requests queued');

  // The crash comes at once, or a few seconds later: the data files are saved at most 10 s after a change, each on
  // its own, so the pause decides how much of the scenario the files hold (nothing, some of it, all of it).
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  launcher!.killGroupAndServer();
  await launcher!.exited;
  const restartedAt = Date.now();
  launcher = await startLauncher('batch-bridge dev', directory, env());
  const after = sdk(launcher);
  // The bridge reconciles at its first run: unknown batches are adopted or, after 15 s, taken for orphans.
  try {
    await waitFor(
      async () => {
        const reconciliation = (await view(launcher!)).reconciliation;
        return reconciliation?.at && Date.parse(reconciliation.at) > restartedAt && reconciliation.pendingBatches === 0
          ? true
          : undefined;
      },
      'the restarted bridge to reconcile and decide on every unknown batch',
      90_000,
    );
  } catch (error) {
    const state = await view(launcher).catch((reason: unknown) => String(reason));
    const runsOfBridge = await after.runs.list(bridgeThreadId(bridge), { limit: 5 }).catch(() => []);
    throw new Error(
      `${String(error)}\nbridge: ${JSON.stringify(state).slice(0, 3000)}\nruns: ${JSON.stringify(
        runsOfBridge.map((run) => [run.status, run.created_at]),
      )}\n${launcher
        .output()
        .split('\n')
        .filter((line) => !line.includes('<--') && !line.includes('-->'))
        .join('\n')
        .slice(0, 4000)}`,
      { cause: error },
    );
  }
  emulator.setTimings({ inProgressMs: 50 });
  await writeFile(path.join(directory, 'drain'), '');

  const threads = [...inFlight, ...queued];
  const answers = new Map<number, Array<{ text?: string }>>();
  const deadline = Date.now() + 60_000;
  const open = new Set(threads.keys());
  while (open.size > 0 && Date.now() < deadline) {
    for (const index of [...open]) {
      const thread = await after.threads.get(threads[index]).catch(() => undefined);
      if (!thread) {
        open.delete(index); // gone with the crash
        continue;
      }
      const done = await finishedThread(after, threads[index], 1).catch(() => undefined);
      if (done) {
        answers.set(index, (done.state.values as { results?: Array<{ text?: string }> }).results ?? []);
        open.delete(index);
      }
    }
    if (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await rm(path.join(directory, 'drain'), { force: true });

  const answered = [...answers].filter(([, results]) => results.length >= 1);
  const lines = emulator
    .record()
    .batches.flatMap((batch) =>
      batch.lines
        .filter((line) => JSON.stringify(line.body).includes(tag))
        .map((line) => ({ batchId: batch.batchId, customId: line.custom_id, body: JSON.stringify(line.body) })),
    );
  const batchIds = [...new Set(lines.map((line) => line.batchId))];
  const statuses = new Map(
    await Promise.all(batchIds.map(async (id) => [id, (await openai.batches.retrieve(id)).status] as const)),
  );
  const live = lines.filter((line) => !/^cancel/.test(statuses.get(line.batchId)!));
  const countBy = (key: (line: (typeof lines)[number]) => string) => {
    const counts = new Map<string, Set<string>>();
    for (const line of live) counts.set(key(line), (counts.get(key(line)) ?? new Set()).add(line.batchId));
    return [...counts.values()].filter((batches) => batches.size > 1).length;
  };
  const answeredPrompts = new Set(answered.map(([index]) => prompt(tag, index)));
  const reaches = (body: string) => [...answeredPrompts].some((text) => body.includes(`"${text}"`));
  const reconciliation = (await view(launcher)).reconciliation!;
  const callsAfter = emulator.record().calls;
  return {
    answered: answered.filter(([, results]) => results.length === 1).length,
    answeredTwice: answered.filter(([, results]) => results.length > 1).length,
    wrongAnswer: answered.filter(([index, results]) => !results[0].text?.includes(prompt(tag, index))).length,
    lostThreads: threads.length - answered.length,
    batches: batchIds.length,
    cancelledBatches: batchIds.filter((id) => /^cancel/.test(statuses.get(id)!)).length,
    billedTwice: countBy((line) => line.customId),
    promptsBilledTwice: countBy((line) => /Question \d+ [^"]+/.exec(line.body)?.[0] ?? line.body),
    unreachableBatches: batchIds.filter(
      (id) => !/^cancel/.test(statuses.get(id)!) && !lines.some((line) => line.batchId === id && reaches(line.body)),
    ).length,
    adopted: reconciliation.adoptedRequests,
    nudged: reconciliation.nudgedThreads,
    calls: Object.fromEntries(Object.keys(callsAfter).map((key) => [key, callsAfter[key] - (callsBefore[key] ?? 0)])),
  };
}

it(
  `kill -9 of batch-bridge dev's group and server with a batch in flight and requests queued, ${runs} times: survivors answered once, orphans cancelled, nothing billed twice`,
  async () => {
    launcher = await startLauncher('batch-bridge dev', directory, env());
    await warmUp(launcher);
    const outcomes: CrashOutcome[] = [];
    for (let run = 0; run < runs; run += 1) {
      const outcome = await crashAndRestart(`kill-run-${run}-${Date.now()}`, (run % 4) * 4_000);
      outcomes.push(outcome);
      console.log(`kill -9 run ${run + 1}: ${JSON.stringify(outcome)}`);
    }
    const sum = (key: keyof CrashOutcome) => outcomes.reduce((total, each) => total + (each[key] as number), 0);
    console.log(
      `kill -9, ${runs} runs of 20 threads: answered once ${sum('answered')}, lost ${sum('lostThreads')}, ` +
        `adopted ${sum('adopted')} requests, asked ${sum('nudged')} threads again, ${sum('cancelledBatches')} of ` +
        `${sum('batches')} batches cancelled, billed twice ${sum('billedTwice')}`,
    );
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        answeredTwice: 0,
        wrongAnswer: 0,
        billedTwice: 0,
        promptsBilledTwice: 0,
        unreachableBatches: 0,
      });
      // Bounded: one list page at the restart, no more cancels than batches.
      expect(outcome.calls.listBatches ?? 0).toBeLessThanOrEqual(2);
      expect(outcome.calls.cancelBatch ?? 0).toBeLessThanOrEqual(outcome.batches);
      expect(outcome.calls.createBatch).toBe(outcome.batches);
    }
  },
  30 * 60_000,
);
