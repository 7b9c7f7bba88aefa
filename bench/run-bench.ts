/**
 * `npm run bench [-- --quick] [-- --n=100,1000] [-- --only=bridge/threads,floor/threads] [-- --all] [-- --no-write]
 *   [-- --profile=bridge/threads/1000] [-- --from=bench/results/latest.json --write]`
 *
 * Starts a fresh `langgraphjs dev` and OpenAI Batch API emulator (processing instant) per scenario, runs N requests
 * through it in two shapes, and prints the table; the full run writes it into BENCHMARKS.md. See BENCHMARKS.md for
 * what each row measures.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeProfile } from './support/profile-summary.js';
import { bridgeBytes, formatTables, resultKey } from './support/report.js';
import { runScenario, type ScenarioResult, type Shape, type Variant } from './support/scenario.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const quick = args.includes('--quick');
const ns = (option('n') ?? (quick ? '100,1000' : '100,1000,10000')).split(',').map(Number);
const only = option('only')?.split(',');
/** The seed's design writes its whole queue on every run: at 10,000 that is tens of gigabytes, so it stops here. */
const seedMaxN = Number(option('seed-max') ?? 1000);
/**
 * Rows left out above 1,000 unless `--all`, to keep the full run near half an hour: on langgraphjs dev the interrupt
 * and resume of 10,000 threads alone takes ~15 min (its run queue scans every run it holds, per run).
 */
const slowAbove1000 = args.includes('--all') ? new Set<string>() : new Set(['interrupt/threads', 'direct/fanout']);
const write = !args.includes('--no-write') && ((!quick && !option('from')) || args.includes('--write'));
const profile = option('profile');

const plan: Array<{ variant: Variant; shape: Shape }> = [
  { variant: 'floor', shape: 'threads' },
  { variant: 'interrupt', shape: 'threads' },
  { variant: 'direct', shape: 'threads' },
  { variant: 'bridge', shape: 'threads' },
  { variant: 'seed', shape: 'threads' },
  { variant: 'floor', shape: 'fanout' },
  { variant: 'interrupt', shape: 'fanout' },
  { variant: 'direct', shape: 'fanout' },
  { variant: 'bridge', shape: 'fanout' },
  { variant: 'seed', shape: 'fanout' },
];

const log = (line: string) => console.log(line);
const startedAt = new Date();
const loadBefore = loadavg();
const from = option('from');
const results = from ? await readResults(from) : await runAll();
const sizes =
  option('n') || !from ? ns : [...new Set([...results.values()].map((result) => result.n))].sort((a, b) => a - b);
const header = from ? await savedHeader(from) : await environment();
const tables = formatTables(results, sizes);
const notes = seedNotes(results, sizes);
console.log(`\n${tables}\n${notes}`);
if (!from) await saveResults(results, header);
if (write) {
  await writeBenchmarks(`${header}\n\n${tables}\n${notes}`);
  log('\nWrote BENCHMARKS.md');
}

async function runAll(): Promise<Map<string, ScenarioResult>> {
  const all = new Map<string, ScenarioResult>();
  for (const n of ns) {
    for (const { variant, shape } of plan) {
      const name = `${variant}/${shape}`;
      if (only && !only.includes(name)) continue;
      if (variant === 'seed' && n > seedMaxN) continue;
      if (n > 1000 && slowAbove1000.has(name)) continue;
      const began = Date.now();
      log(`▶ ${name} N=${n}`);
      const cpuProfilePath =
        profile === `${name}/${n}`
          ? path.join(root, 'bench/results', `${variant}-${shape}-${n}.cpuprofile`)
          : undefined;
      if (cpuProfilePath) await mkdir(path.dirname(cpuProfilePath), { recursive: true });
      const result = await runScenario({ variant, shape, n, timeoutMs: 60_000 + n * 120, log, cpuProfilePath });
      all.set(resultKey(variant, shape, n), result);
      // Saved after every scenario, so that an interrupted run keeps the rows it finished.
      await saveResults(all, await environment());
      log(
        `  ${result.error ? `error: ${result.error}` : `done in ${((result.totalMs ?? result.doneMs ?? 0) / 1000).toFixed(1)} s`} (scenario ${Math.round((Date.now() - began) / 1000)} s)`,
      );
      if (cpuProfilePath) await printProfile(cpuProfilePath);
    }
  }
  return all;
}

/** Kept as latest.json and under the run's start time, so that a row re-run on its own can be merged with a full run. */
async function saveResults(results: Map<string, ScenarioResult>, header: string): Promise<void> {
  await mkdir(path.join(root, 'bench/results'), { recursive: true });
  const saved = JSON.stringify({ environment: header, results: [...results.values()] }, null, 2);
  await writeFile(path.join(root, 'bench/results/latest.json'), saved);
  await writeFile(path.join(root, 'bench/results', `run-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`), saved);
}

/** Where the server spent its CPU time in a profiled scenario: by package (or node internals, GC), then by function. */
async function printProfile(file: string): Promise<void> {
  const summary = await summarizeProfile(file).catch(() => undefined);
  log(`  CPU profile of the server: ${path.relative(root, file)} (open it in Chrome DevTools or speedscope)`);
  if (!summary) return;
  const busy = summary.totalMs - summary.idleMs;
  const share = (ms: number) =>
    `${String(ms).padStart(8)} ms ${((100 * ms) / Math.max(busy, 1)).toFixed(0).padStart(3)}%`;
  log(`  ${summary.totalMs} ms profiled, ${busy} ms busy. Self time by area:`);
  for (const { area, ms } of summary.byArea.filter(({ area }) => area !== '(idle)').slice(0, 10))
    log(`  ${share(ms)}  ${area}`);
  log('  Self time by function:');
  for (const { name, ms } of summary.byFunction.slice(0, 15)) log(`  ${share(ms)}  ${name}`);
}

/**
 * `--from=bench/results/latest.json` prints (and with --write writes) the table of an earlier run again;
 * `--from=a.json,b.json` merges runs, a later file's rows replacing an earlier one's (e.g. a row re-run on its own).
 */
async function readResults(files: string): Promise<Map<string, ScenarioResult>> {
  const merged = new Map<string, ScenarioResult>();
  for (const file of files.split(',')) {
    const saved = JSON.parse(await readFile(file, 'utf8'));
    const list: ScenarioResult[] = Array.isArray(saved) ? saved : saved.results;
    for (const result of list) merged.set(resultKey(result.variant, result.shape, result.n), result);
  }
  return merged;
}

/** The runs' dates, machine and versions, as saved with their results. */
async function savedHeader(files: string): Promise<string> {
  const headers: string[] = [];
  for (const file of files.split(',')) {
    const saved = JSON.parse(await readFile(file, 'utf8'));
    headers.push(
      !Array.isArray(saved) && typeof saved.environment === 'string'
        ? saved.environment
        : `${file}: its date and machine were not saved.`,
    );
  }
  return headers.join('\n\n');
}

/** Where the seed was not run, what its measured growth projects for that N. */
function seedNotes(all: Map<string, ScenarioResult>, sizes: number[]): string {
  const lines: string[] = [];
  for (const shape of ['threads', 'fanout'] as const) {
    const measured = sizes
      .map((n) => all.get(resultKey('seed', shape, n)))
      .filter((result): result is ScenarioResult => Boolean(result && !result.error && bridgeBytes(result)));
    const skipped = sizes.filter((n) => n > seedMaxN);
    if (measured.length < 2 || skipped.length === 0) continue;
    // Bytes per request grow linearly with N in the seed's design (each run rewrites the whole queue): fit a + b·N.
    const [small, large] = [measured[0], measured[measured.length - 1]];
    const perRequest = (result: ScenarioResult) => bridgeBytes(result)!.total / result.n;
    const slope = (perRequest(large) - perRequest(small)) / (large.n - small.n);
    for (const n of skipped) {
      const projected = perRequest(small) + slope * (n - small.n);
      lines.push(
        `- Seed design, ${shape}, N = ${n.toLocaleString('en-US')}: not run. Its bytes per request grow with N ` +
          `(${(perRequest(small) / 1024).toFixed(1)} KB at ${small.n.toLocaleString('en-US')}, ${(perRequest(large) / 1024).toFixed(1)} KB at ` +
          `${large.n.toLocaleString('en-US')}); the straight line through them gives ~${(projected / 1024 / 1024).toFixed(1)} MB per request, ` +
          `~${((projected * n) / 1024 ** 3).toFixed(0)} GB written in all, held in the server's memory.`,
      );
    }
  }
  return lines.length > 0 ? `\n${lines.join('\n')}\n` : '';
}

async function environment(): Promise<string> {
  const pkg = async (name: string) => {
    try {
      return JSON.parse(await readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8'))
        .version as string;
    } catch {
      return '?';
    }
  };
  const names = [
    '@langchain/langgraph',
    '@langchain/langgraph-api',
    '@langchain/langgraph-cli',
    '@langchain/langgraph-sdk',
    '@langchain/core',
    'ai',
    '@ai-sdk/openai',
  ];
  const versions = await Promise.all(names.map(async (name) => `${name} ${await pkg(name)}`));
  const load = (values: number[]) => values.map((value) => value.toFixed(1)).join(' / ');
  return [
    `Run ${startedAt.toISOString()} (${Math.round((Date.now() - startedAt.getTime()) / 60_000)} min), \`npm run bench\`${args.length ? ` ${args.join(' ')}` : ''}.`,
    `Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 1024 ** 3)} GB memory; load average ` +
      `(1/5/15 min) ${load(loadBefore)} before, ${load(loadavg())} after (a shared machine: other work runs beside the benchmark).`,
    `Node ${process.version}; ${versions.join(', ')}. The server runs with 10 workers (the CLI's default -n); the ` +
      `emulator finishes batches at once (timings 0/0/0).`,
  ].join('\n');
}

/** Replaces the generated part of BENCHMARKS.md (between the markers) and keeps the written analysis around it. */
async function writeBenchmarks(generated: string): Promise<void> {
  const file = path.join(root, 'BENCHMARKS.md');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const current = await readFile(file, 'utf8').catch(() => `# Benchmarks\n\n${start}\n${end}\n`);
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const block = `${start}\n${generated}\n${end}`;
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
}
