import { createLogUpdate } from 'log-update';
import type { BatchView } from './bridge-watch.js';
import type { WorkloadProgress } from './triage-workload.js';

export interface ProgressDisplay {
  update(progress: WorkloadProgress): void;
  /** A line that stays (above the live block on a terminal). */
  note(line: string): void;
  /** Leaves the last frame on screen and lets go of the terminal. */
  stop(): void;
}

/** A block redrawn in place on a terminal; plain lines, one per change, where stdout is a file or a CI log. */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stdout): ProgressDisplay {
  // A terminal that reports no size (some CI runners, `script`) would clip the redrawn block to nothing.
  return stream.isTTY && stream.rows > 0 && stream.columns > 0 ? new LiveDisplay(stream) : new LineDisplay(stream);
}

const color = (code: number) => (text: string) => (process.env.NO_COLOR ? text : `\u001b[${code}m${text}\u001b[0m`);
const dim = color(2);
const green = color(32);
const yellow = color(33);
const bold = color(1);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return green('█'.repeat(filled)) + dim('░'.repeat(width - filled));
}

const statusColor = (status: string) =>
  status === 'done' || status === 'completed'
    ? green
    : status === 'failed' || status === 'expired'
      ? color(31)
      : yellow;

function batchLine(batch: BatchView): string {
  const answered = batch.done ? batch.requestCount : batch.completed + batch.failed;
  return `    ${batch.batchId.padEnd(38)} ${statusColor(batch.status)(batch.status.padEnd(12))} ${String(answered).padStart(5)}/${batch.requestCount} requests`;
}

const shownBatches = 6;

class LiveDisplay implements ProgressDisplay {
  private readonly render: ReturnType<typeof createLogUpdate>;

  constructor(stream: NodeJS.WriteStream) {
    this.render = createLogUpdate(stream, { showCursor: false });
  }

  update(progress: WorkloadProgress): void {
    const { bridge, threads, expectedRequests } = progress;
    const { totals } = bridge;
    const inBatches = totals.submitted - totals.delivered - totals.retried;
    const recent = bridge.batches.slice(-shownBatches);
    const lines = [
      `${bold('BatchBridge demo')}  ${dim('elapsed')} ${seconds(progress.elapsedMs)}  ${dim('model')} ${progress.model}`,
      `  Requests  ${bar(totals.delivered, expectedRequests)} ${String(totals.delivered).padStart(5)}/${expectedRequests} delivered` +
        `  ${dim('queued')} ${bridge.queued}  ${dim('in batches')} ${Math.max(0, inBatches)}  ${dim('failed')} ${totals.failed}`,
      `  Threads   ${bar(threads.finished, threads.total)} ${String(threads.finished).padStart(5)}/${threads.total} finished` +
        (threads.failed > 0 ? `  ${color(31)(`${threads.failed} failed`)}` : ''),
      `  Batches   ${totals.batches} submitted${bridge.batches.length > shownBatches ? dim(` (the last ${shownBatches} below)`) : ''}`,
      ...recent.map(batchLine),
    ];
    if (bridge.lastError) lines.push(`  ${yellow('bridge:')} ${bridge.lastError.slice(0, 160)}`);
    this.render(lines.join('\n'));
  }

  note(line: string): void {
    this.render.persist(line);
  }

  stop(): void {
    this.render.done();
  }
}

/** Without a terminal, every change of a batch and every few seconds of progress becomes one line. */
class LineDisplay implements ProgressDisplay {
  private readonly statuses = new Map<string, string>();
  private lastSummary = '';
  private lastSummaryAt = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: WorkloadProgress): void {
    const at = `[${seconds(progress.elapsedMs).padStart(7)}]`;
    for (const batch of progress.bridge.batches) {
      if (this.statuses.get(batch.batchId) === batch.status) continue;
      this.statuses.set(batch.batchId, batch.status);
      this.stream.write(`${at} batch ${batch.batchId} ${batch.status} (${batch.requestCount} requests)\n`);
    }
    const { totals, queued } = progress.bridge;
    const summary =
      `delivered ${totals.delivered}/${progress.expectedRequests} · queued ${queued} · batches ${totals.batches} · ` +
      `threads ${progress.threads.finished}/${progress.threads.total} finished` +
      (progress.threads.failed ? `, ${progress.threads.failed} failed` : '');
    const done = progress.threads.finished + progress.threads.failed === progress.threads.total;
    if (summary !== this.lastSummary && (done || progress.elapsedMs - this.lastSummaryAt >= 2000)) {
      this.stream.write(`${at} ${summary}\n`);
      this.lastSummary = summary;
      this.lastSummaryAt = progress.elapsedMs;
    }
  }

  note(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {}
}
