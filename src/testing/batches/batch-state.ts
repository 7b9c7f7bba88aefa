import type { FaultMarker } from '../faults/fault-markers.js';
import type { LineFault, ResolvedBatchFaults } from '../faults/fault-state.js';
import type { BatchErrorEntry, BatchInputLine, InputValidationResult } from './input-validation.js';

export type BatchStatus =
  'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export const timestampNames = [
  'created_at',
  'in_progress_at',
  'expires_at',
  'finalizing_at',
  'completed_at',
  'failed_at',
  'expired_at',
  'cancelling_at',
  'cancelled_at',
] as const;

export type TimestampName = (typeof timestampNames)[number];

/** What one executed line produced: the HTTP answer the endpoint gave. */
export interface LineResult {
  customId: string;
  statusCode: number;
  body: unknown;
  /** Written out cut short (`[[fault:line=malformed]]`): the line is not valid JSON. */
  malformed?: boolean;
}

export interface BatchState {
  id: string;
  /** Creation order, for newest-first listing and for the per-batch shuffle seed. */
  sequence: number;
  inputFileId: string;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  outputExpiresAfterSeconds?: number;
  status: BatchStatus;
  timestamps: Record<TimestampName, number | null>;
  validation: InputValidationResult;
  /** Markers of each valid line, by line index. */
  lineMarkers: FaultMarker[][];
  /** Input tokens as estimated for the enqueued-token limit; held in the queue while the batch runs. */
  estimatedInputTokens: number;
  faults: ResolvedBatchFaults;
  /** Set when validation fails. */
  errors: BatchErrorEntry[] | null;
  /** Line indices in the (shuffled) order they are executed and written out. */
  processingOrder: number[];
  /** Injected line faults per line index, decided when the batch starts running. */
  lineFaults: Array<LineFault | undefined>;
  /** Results by processing position; filled lazily up to `doneCount`. */
  results: LineResult[];
  /** Lines finished so far; never decreases, frozen once the batch is stopped. */
  doneCount: number;
  stopped: boolean;
  /** When the current status began, in milliseconds: the timers and progress are measured from it. */
  phaseStartedAt: number;
  outputFileId: string | null;
  errorFileId: string | null;
  timer?: NodeJS.Timeout;
}

export function runnableLines(batch: BatchState): BatchInputLine[] {
  return batch.errors === null ? batch.validation.lines : [];
}
