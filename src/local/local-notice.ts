import { describeCostTotals, type CostTotals } from '../core/index.js';
import type { ResolvedLocalOptions } from './local-options.js';

const announced = new Set<string>();
/** Each batcher's closing summary, said when the process has nothing left to do. */
const summaries = new Set<() => void>();
let listening = false;

/** Where the batcher's one-line notes go: the `log` option, or stderr so that a script's stdout stays its own. */
export function lineWriter(options: ResolvedLocalOptions): (line: string) => void {
  if (options.log === false) return () => {};
  const write = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  return (line) => write(`batch-bridge: ${line}`);
}

/**
 * Says once per process and store which mode answers the calls and what a Ctrl-C does, because in a script the
 * difference matters: batches outlive the process that submitted them.
 */
export function announceLocalMode(
  log: (line: string) => void,
  storeFile: string | null,
  fresh: boolean,
  driver: string | null = null,
): void {
  const key = storeFile ?? '(no store)';
  if (announced.has(key)) return;
  announced.add(key);
  if (storeFile === null) {
    log(
      'local mode (not in a LangGraph server run): calls are batched in this process, without a store (cache: false). ' +
        'Ctrl-C leaves submitted batches running at OpenAI, and the next run submits again.',
    );
    return;
  }
  log(
    `local mode (not in a LangGraph server run): calls are batched in this process; store ${storeFile}` +
      `${driver ? ` (SQLite: ${driver})` : ''}` +
      `${fresh ? ' (fresh: earlier answers ignored)' : ''}. Ctrl-C leaves submitted batches running at OpenAI; ` +
      'the next run reattaches to them.',
  );
}

/**
 * The cost part of the line a batch's end is logged with: what this batch's answers cost and saved, and, once more
 * than one batch has ended, the totals so far. Empty when the batch had no answers with token usage.
 */
export function describeBatchSpending(batch: CostTotals, sofar: { totals: CostTotals; batches: number }): string {
  if (batch.pricedAnswers + batch.unpricedAnswers === 0) return '';
  const total = sofar.batches > 1 ? `. So far (${sofar.batches} batches): ${describeCostTotals(sofar.totals)}` : '';
  return `; ${describeCostTotals(batch)}${total}`;
}

/** What a batcher has spent since the process started, for its closing summary. */
export interface LocalSpending {
  totals: CostTotals;
  /** Batches that ended (their answered lines are in `totals`). */
  batches: number;
  /** Answers served from the store: paid for by an earlier run. */
  fromStore: number;
}

/**
 * Says, when the script has nothing left to do (Node's `beforeExit`), what this run's calls cost and saved, and how
 * many answers came from the store. Nothing for a batcher that answered nothing.
 */
export function summarizeAtExit(log: (line: string) => void, spending: LocalSpending): () => void {
  const summary = () => {
    const answers = spending.totals.pricedAnswers + spending.totals.unpricedAnswers;
    if (answers === 0 && spending.fromStore === 0) return undefined;
    const parts = [
      answers > 0 ? `${answers} answer(s) through ${spending.batches} batch(es)` : '',
      spending.fromStore > 0
        ? `${spending.fromStore}${answers > 0 ? '' : ' answer(s)'} from the store (paid before)`
        : '',
    ].filter(Boolean);
    return `this run: ${parts.join(', ')}; ${describeCostTotals(spending.totals)}`;
  };
  const say = () => {
    const line = summary();
    if (line) log(line);
  };
  summaries.add(say);
  if (!listening) {
    listening = true;
    process.once('beforeExit', () => {
      listening = false;
      for (const each of summaries) each();
      summaries.clear();
    });
  }
  return () => summaries.delete(say);
}
