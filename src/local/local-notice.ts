import { describeCostTotals, type CostTotals } from '../core/index.js';
import type { ResolvedLocalOptions } from './local-options.js';

const announced = new Set<string>();

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
export function announceLocalMode(log: (line: string) => void, storeFile: string | null, fresh: boolean): void {
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
