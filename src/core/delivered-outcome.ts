import type { Outcome } from '../backends/types.js';
import { costOfResponse, type CallCost, type ParsedPriceOverrides } from '../pricing/index.js';

/**
 * What a waiting call is answered with, in both modes: the value a bridge resumes an interrupt with, and the value the
 * local batcher resolves a call with. The provider replays both the same way.
 */
export interface DeliveredOutcome {
  kind: 'batch-bridge/outcome';
  /** The digest of the request this answers; the call checks it against its own before it accepts the answer. */
  digest: string;
  requestKey: string;
  batchId: string | null;
  customId: string | null;
  /** Attempts made (a request resubmitted after an expiry has 2). */
  attempts: number;
  queuedAt: number;
  submittedAt: number | null;
  completedAt: number;
  outcome: Outcome;
  /**
   * What a successful answer cost at batch price and would have cost at synchronous price, from its token usage; null
   * for an error or a body without usage. Absent in outcomes recorded before costs were (a store's older answers).
   */
  cost?: CallCost | null;
}

/** The request a delivered outcome belongs to, as both modes know it. */
export interface SettledRequest {
  requestKey: string;
  digest: string;
  attempt: number;
  queuedAt: number;
}

export function deliveredOutcome(
  request: SettledRequest,
  batch: { batchId: string | null; customId: string | null; submittedAt: number | null },
  outcome: Outcome,
  completedAt: number,
  pricing: { prices?: ParsedPriceOverrides } = {},
): DeliveredOutcome {
  const cost =
    outcome.type === 'success'
      ? (costOfResponse(outcome.body, { prices: pricing.prices, at: new Date(completedAt) }) ?? null)
      : null;
  return {
    kind: 'batch-bridge/outcome',
    digest: request.digest,
    requestKey: request.requestKey,
    batchId: batch.batchId,
    customId: batch.customId,
    attempts: request.attempt,
    queuedAt: request.queuedAt,
    submittedAt: batch.submittedAt,
    completedAt,
    outcome,
    cost,
  };
}

export function isDeliveredOutcome(value: unknown): value is DeliveredOutcome {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as DeliveredOutcome).kind === 'batch-bridge/outcome' &&
    typeof (value as DeliveredOutcome).digest === 'string'
  );
}
