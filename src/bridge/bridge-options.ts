import { z } from 'zod';
import { engineOptionsSchema } from '../core/index.js';

/**
 * Reconciliation with the batch API (steps/reconcile-batches.ts): at the first run of a process and after a gap, the
 * bridge lists the API's recent batches of its identity and looks for those its store does not know.
 */
export const reconcileOptionsSchema = z.object({
  /** How far back the list goes when the store says nothing newer was reconciled (a batch's window is 24 h). */
  lookbackMs: z
    .number()
    .int()
    .positive()
    .default(26 * 60 * 60_000),
  /** Pages of the API's batch list read per reconciliation (100 batches a page). */
  maxPages: z.number().int().positive().default(10),
  /** Batches looked at per reconciliation, of any identity. */
  maxBatches: z.number().int().positive().default(1_000),
  /** Unknown batches whose lines are read per run (one retrieve and one download each). */
  maxBatchesRead: z.number().int().positive().default(10),
  /**
   * How long an unknown batch waits for its requests to be handed over again (the sweep asks waiting threads to) before
   * it is taken for an orphan: reported, and cancelled when it is provably this deployment's.
   */
  orphanAfterMs: z
    .number()
    .int()
    .nonnegative()
    .default(5 * 60_000),
  /** A run this long after the previous one reconciles again (the bridge was not running: ticks lost, a restart). */
  gapMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** Pages of interrupted threads (100 a page) the lost hand-over sweep reads per reconciliation. */
  sweepPages: z.number().int().nonnegative().default(10),
});

export type ReconcileOptions = z.infer<typeof reconcileOptionsSchema>;

/** The engine's options plus what only the bridge graph has: resume runs, and where the LangGraph API is. */
export const bridgeRunOptionsSchema = engineOptionsSchema.extend({
  /** Resume runs created at once when delivering outcomes. */
  deliveryConcurrency: z.number().int().positive().default(16),
  /** Where the bridge reaches the LangGraph API for ticks and resumes; the server itself when absent. */
  apiUrl: z.string().url().optional(),
  reconcile: reconcileOptionsSchema.prefault({}),
});

export type BridgeRunOptions = z.infer<typeof bridgeRunOptionsSchema>;
