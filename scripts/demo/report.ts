import type { TokenUsage } from '../../examples/ticket-triage.js';
import {
  addTokenUsage,
  costOfUsage,
  formatUsd,
  noTokenUsage,
  priceCatalog,
  type CallCost,
} from '../../src/pricing/index.js';
import type { WorkloadResult } from './triage-workload.js';

/** The numbers the demo ends with; the test asserts them, `formatReport` prints them. */
export interface DemoReport {
  model: string;
  openai: string;
  tickets: number;
  triaged: number;
  threads: { total: number; finished: number; failed: number };
  /** Model calls the agent made (each one a batch request), counted from its own results. */
  requests: number;
  /** Results the bridge delivered back to waiting calls, counted by the bridge. */
  delivered: number;
  failed: number;
  retried: number;
  /** Batches the bridge submitted. */
  batches: number;
  usage: TokenUsage;
  /** The tokens at batch and synchronous price, from the package's price catalog; null amounts for an unknown model. */
  cost: CallCost;
  elapsedMs: number;
  resultsFolder?: string;
  /** Threads that ended in an error (the run fails). */
  errors: string[];
  /** Tickets whose request failed; the agent records them and goes on. */
  failedTickets: string[];
}

export function buildReport(
  result: WorkloadResult,
  details: { openai: string; tickets: number; resultsFolder?: string },
): DemoReport {
  let usage = noTokenUsage();
  let requests = 0;
  let triaged = 0;
  for (const thread of result.threads) {
    for (const ticket of thread.triaged) {
      usage = addTokenUsage(usage, ticket.usage);
      requests += ticket.modelCalls;
      if (ticket.triage) triaged += 1;
    }
    if (thread.handover) {
      usage = addTokenUsage(usage, thread.handover.usage);
      requests += thread.handover.modelCalls;
    }
  }
  const { bridge, threads, model } = result.progress;
  return {
    model,
    openai: details.openai,
    tickets: details.tickets,
    triaged,
    threads,
    requests,
    delivered: bridge.totals.delivered,
    failed: bridge.totals.failed,
    retried: bridge.totals.retried,
    batches: bridge.totals.batches,
    usage,
    cost: costOfUsage(model, usage, { at: new Date() }),
    elapsedMs: result.elapsedMs,
    resultsFolder: details.resultsFolder,
    errors: result.threads.flatMap((thread) => (thread.error ? [`thread ${thread.threadId}: ${thread.error}`] : [])),
    failedTickets: result.threads.flatMap((thread) =>
      thread.triaged.filter((ticket) => ticket.error).map((ticket) => `${ticket.ticketId}: ${ticket.error}`),
    ),
  };
}

const count = (value: number) => value.toLocaleString('en-US');

export function formatReport(report: DemoReport): string {
  const { cost, usage } = report;
  const lines = [
    '',
    `BatchBridge demo report · ${report.model} · ${report.openai}`,
    `  tickets        ${count(report.triaged)} of ${count(report.tickets)} triaged in ${report.threads.total} threads (${report.threads.finished} finished, ${report.threads.failed} failed)`,
    `  requests       ${count(report.requests)} model calls, ${count(report.delivered)} results delivered by the bridge (${report.failed} failed, ${report.retried} retried)`,
    `  batches        ${count(report.batches)} submitted to the Batch API`,
    `  tokens         ${count(usage.inputTokens)} input (${count(usage.cachedInputTokens)} cached) · ${count(usage.outputTokens)} output`,
  ];
  if (cost.synchronousUsd !== null && cost.batchUsd !== null) {
    const saved = cost.synchronousUsd - cost.batchUsd;
    const percent = cost.synchronousUsd > 0 ? Math.round((saved / cost.synchronousUsd) * 100) : 0;
    lines.push(
      `  cost           ${formatUsd(cost.synchronousUsd)} at synchronous prices → ${formatUsd(cost.batchUsd)} through the Batch API (saves ${formatUsd(saved)}, ${percent}%)`,
      `                 ${report.model} prices of ${cost.pricesAsOf ?? 'an unknown date'} (${priceCatalog.name} ${priceCatalog.version})`,
    );
  } else {
    lines.push(`  cost           unknown: ${priceCatalog.name} has no price for ${report.model}`);
  }
  lines.push(`  time           ${(report.elapsedMs / 1000).toFixed(1)} s from the first thread to the last result`);
  if (report.resultsFolder)
    lines.push(`  results        ${report.resultsFolder}/ (tickets.jsonl, handover.md, report.txt)`);
  for (const error of report.errors.slice(0, 5)) lines.push(`  error          ${error}`);
  for (const failure of report.failedTickets.slice(0, 5)) lines.push(`  failed ticket  ${failure.slice(0, 200)}`);
  if (report.failedTickets.length > 5)
    lines.push(`                 ... and ${report.failedTickets.length - 5} more (tickets.jsonl has them all)`);
  return lines.join('\n');
}
