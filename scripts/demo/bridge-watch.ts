import type { Client } from '@langchain/langgraph-sdk';
import { isNotFound } from '../../src/core/index.js';
import { bridgeThreadId } from '../../src/protocol/index.js';
import { emptyTotals, type BridgeState, type BridgeTotals } from '../../src/bridge/bridge-state.js';

/** A batch as the demo shows it: live while the bridge polls it, `done` once the bridge has taken its results. */
export interface BatchView {
  batchId: string;
  status: string;
  requestCount: number;
  completed: number;
  failed: number;
  submittedAt: string;
  done: boolean;
}

export interface BridgeView {
  queued: number;
  /** Outcomes sent to their threads that the bridge has not yet seen taken (it looks on its next tick). */
  resuming: number;
  totals: BridgeTotals;
  /** Every batch submitted since the watch began, oldest first. */
  batches: BatchView[];
  lastError: string | null;
}

/**
 * Reads the bridge's state (its one fixed thread) and remembers the batches it has seen: the bridge drops a batch
 * from its state once the results are in, and the demo still wants to show it. Totals are counted from when the
 * watch began, so an existing server's earlier traffic (`--url`) is not counted as this run's.
 */
export class BridgeWatch {
  private readonly threadId: string;
  private readonly batches = new Map<string, BatchView>();
  private baseline: BridgeTotals | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly client: Client,
    readonly bridge: string,
  ) {
    this.threadId = bridgeThreadId(bridge);
  }

  async read(): Promise<BridgeView> {
    const state = await this.readState();
    const totals = state?.totals ?? emptyTotals();
    this.baseline ??= totals;
    const live = new Set<string>();
    for (const batch of state?.batches ?? []) {
      if (batch.batchId === null) continue; // being created: shown once the API has answered
      // A batch submitted before this run belongs to someone else's traffic.
      if (Date.parse(batch.submittedAt) < this.startedAt - 1000 && !this.batches.has(batch.batchId)) continue;
      live.add(batch.batchId);
      this.batches.set(batch.batchId, {
        batchId: batch.batchId,
        status: batch.status,
        requestCount: batch.requestCount,
        completed: batch.requestCounts?.completed ?? 0,
        failed: batch.requestCounts?.failed ?? 0,
        submittedAt: batch.submittedAt,
        done: false,
      });
    }
    for (const view of this.batches.values()) {
      if (!live.has(view.batchId) && !view.done) Object.assign(view, { done: true, status: 'done' });
    }
    return {
      queued: state?.queued ?? 0,
      resuming: (state?.resuming ?? 0) + (state?.undelivered ?? 0),
      totals: since(this.baseline, totals),
      batches: [...this.batches.values()].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt)),
      lastError: state?.lastError?.message ?? null,
    };
  }

  private async readState(): Promise<BridgeState | undefined> {
    try {
      return (await this.client.threads.getState(this.threadId)).values as BridgeState;
    } catch (error) {
      // The bridge thread is created by the first request; before that there is nothing to read.
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function since(baseline: BridgeTotals, now: BridgeTotals): BridgeTotals {
  const difference = emptyTotals();
  for (const key of Object.keys(difference) as Array<keyof BridgeTotals>)
    difference[key] = (now[key] ?? 0) - (baseline[key] ?? 0);
  return difference;
}
