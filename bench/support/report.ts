import type { ScenarioResult, Shape, Variant } from './scenario.js';

type Results = Map<string, ScenarioResult>;
export const resultKey = (variant: Variant, shape: Shape, n: number) => `${variant}/${shape}/${n}`;

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
const ratio = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(2));
const megabytes = (bytes: number | undefined) => (bytes === undefined ? '–' : `${Math.round(bytes / 1024 / 1024)} MB`);
function bytes(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(1)} MB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${Math.round(value)} B`;
}

/** Bytes the bridge wrote: its thread's checkpoints and pending writes, and its store items (puts and deletes). */
export function bridgeBytes(result: ScenarioResult | undefined) {
  const meter = result?.meter;
  if (!meter) return undefined;
  const state = meter.bridgeCheckpoints.bytes + meter.bridgeWrites.bytes;
  const store = meter.bridgeStorePuts.bytes + meter.bridgeStoreDeletes.bytes;
  return { state, store, total: state + store };
}

function apiCallsPerBatch(result: ScenarioResult | undefined): string {
  if (!result?.apiCalls || !result.batches) return '–';
  const total = Object.values(result.apiCalls).reduce((sum, count) => sum + count, 0);
  const parts = Object.entries(result.apiCalls).map(([name, count]) => `${name} ${count}`);
  return `${(total / result.batches).toFixed(1)} (${result.batches} batch${result.batches === 1 ? '' : 'es'}: ${parts.join(', ')})`;
}

type Row = [label: string, cell: (n: number) => string];

/** One markdown table per shape: a row per measurement, a column per N. */
export function formatTables(results: Results, ns: number[]): string {
  const get = (variant: Variant, shape: Shape, n: number) => results.get(resultKey(variant, shape, n));
  const cell = (variant: Variant, shape: Shape, pick: (result: ScenarioResult) => string) => (n: number) => {
    const result = get(variant, shape, n);
    if (!result) return 'not run';
    if (result.error) return failure(result);
    return pick(result);
  };
  const perRequest = (variant: Variant, shape: Shape, which: 'state' | 'store' | 'total') =>
    cell(variant, shape, (result) => bytes((bridgeBytes(result)?.[which] ?? NaN) / result.n));

  const sections: string[] = [];
  for (const shape of ['threads', 'fanout'] as const) {
    const floorDone = (n: number) => get('floor', shape, n)?.doneMs;
    const rows: Row[] = [
      ['floor (no model call): all done, s', cell('floor', shape, (r) => seconds(r.doneMs))],
      ...((shape === 'threads'
        ? [
            [
              'floor + one more run per thread (interrupt, resume; no bridge): all done, s',
              cell('interrupt', shape, (r) => seconds(r.doneMs)),
            ],
          ]
        : [
            [
              'LangGraph alone: N tasks interrupt, the run ends, s',
              cell('interrupt', shape, (r) => seconds(r.interruptedMs)),
            ],
            [
              'LangGraph alone: resume of N tasks → done, s',
              cell('interrupt', shape, (r) => seconds(diff(r.doneMs, r.deliveredMs))),
            ],
          ]) as Row[]),
      ['bridge: all queued, s', cell('bridge', shape, (r) => seconds(r.queuedMs))],
      ['bridge: all submitted, s', cell('bridge', shape, (r) => seconds(r.submittedMs))],
      shape === 'threads'
        ? [
            'bridge: submitted ÷ floor (target ≤ 1.25)',
            cell('bridge', shape, (r) => ratio((r.submittedMs ?? NaN) / (floorDone(r.n) ?? NaN))),
          ]
        : [
            'bridge: queued + submitted under 60 s?',
            cell('bridge', shape, (r) => ((r.submittedMs ?? Infinity) < 60_000 ? 'yes' : 'no')),
          ],
      [
        'bridge: batch complete → every resume accepted, s',
        cell('bridge', shape, (r) => seconds(diff(r.deliveredMs, r.batchCompletedMs))),
      ],
      ['bridge: all done, s', cell('bridge', shape, (r) => seconds(r.doneMs))],
      ...((shape === 'threads'
        ? [
            [
              'bridge: done ÷ (floor + one more run per thread) (target ≤ 1.25)',
              cell('bridge', shape, (r) => ratio((r.doneMs ?? NaN) / (get('interrupt', shape, r.n)?.doneMs ?? NaN))),
            ],
            [
              'bridge: done ÷ (2 × floor)',
              cell('bridge', shape, (r) => ratio((r.doneMs ?? NaN) / (2 * (floorDone(r.n) ?? NaN)))),
            ],
          ]
        : [
            [
              'bridge: batch complete → thread done, s (target < 60)',
              cell('bridge', shape, (r) => seconds(diff(r.doneMs, r.batchCompletedMs))),
            ],
          ]) as Row[]),
      ['bridge: total (done, bridge idle), s', cell('bridge', shape, (r) => seconds(r.totalMs))],
      [
        'bridge runs per request (target ≪ 0.1)',
        cell('bridge', shape, (r) => (r.bridgeRuns === undefined ? '–' : (r.bridgeRuns / r.n).toFixed(3))),
      ],
      ['bridge bytes written per request: state (checkpoints + writes)', perRequest('bridge', shape, 'state')],
      ['bridge bytes written per request: store', perRequest('bridge', shape, 'store')],
      ['bridge bytes written per request: total (target flat ±25% 1k→10k)', perRequest('bridge', shape, 'total')],
      [
        'data folder after a clean stop, per request (whole server)',
        cell('bridge', shape, (r) => bytes((r.dataFolderBytes ?? NaN) / r.n)),
      ],
      ['OpenAI API calls per batch', cell('bridge', shape, (r) => apiCallsPerBatch(r))],
      ['peak server memory (VmHWM): floor', cell('floor', shape, (r) => megabytes(r.peakMemoryBytes))],
      ['peak server memory (VmHWM): bridge', cell('bridge', shape, (r) => megabytes(r.peakMemoryBytes))],
      ['direct synchronous generateText: all done, s', cell('direct', shape, (r) => seconds(r.doneMs))],
      [
        'bridge total ÷ direct synchronous',
        cell('bridge', shape, (r) => ratio((r.totalMs ?? NaN) / (get('direct', shape, r.n)?.doneMs ?? NaN))),
      ],
      ['seed design: all submitted, s', cell('seed', shape, (r) => seconds(r.submittedMs))],
      ['seed design: all done, s', cell('seed', shape, (r) => seconds(r.doneMs))],
      [
        'seed design: bridge runs per request',
        cell('seed', shape, (r) => (r.bridgeRuns === undefined ? '–' : (r.bridgeRuns / r.n).toFixed(3))),
      ],
      ['seed design: bytes written per request (state + store)', perRequest('seed', shape, 'total')],
      ['seed design: peak server memory', cell('seed', shape, (r) => megabytes(r.peakMemoryBytes))],
    ];
    const title = shape === 'threads' ? 'N threads, one call each' : 'One thread, N-way Send fan-out';
    const header = `| ${title} | ${ns.map((n) => `N = ${n.toLocaleString('en-US')}`).join(' | ')} |`;
    const rule = `|${'---|'.repeat(ns.length + 1)}`;
    const lines = rows.map(([label, render]) => `| ${label} | ${ns.map((n) => render(n)).join(' | ')} |`);
    sections.push([header, rule, ...lines].join('\n'));
  }
  return sections.join('\n\n');
}

/** A scenario that did not finish shows how far it got. */
function failure(result: ScenarioResult): string {
  const { progress } = result;
  if (!progress) return `error: ${result.error?.slice(0, 60)}`;
  const received =
    progress.received === undefined ? '' : `, ${progress.received.toLocaleString('en-US')} received by the bridge`;
  return `${result.error} (${progress.count.toLocaleString('en-US')} of ${result.n.toLocaleString('en-US')} ${progress.what}${received})`;
}

function diff(later: number | undefined, earlier: number | undefined) {
  return later === undefined || earlier === undefined ? undefined : later - earlier;
}
