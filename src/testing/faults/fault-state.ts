import type { BatchFaults, HttpFaults } from '../types.js';
import { markerFraction, markerStatus, markerTimes, type FaultMarker } from './fault-markers.js';

/** The faults one batch gets, fixed when it is created so that flipping emulator faults later cannot reach it. */
export interface ResolvedBatchFaults {
  failValidation: boolean;
  tokenLimitExceeded: boolean;
  /** Stop `in_progress` early, with this fraction of lines done. */
  stopEarly: { kind: 'expire' | 'cancel'; fraction: number } | null;
  outputFileMissing: boolean;
  /** Extra milliseconds this batch stays `in_progress` (a slow batch among fast ones). */
  extraInProgressMs: number;
}

export type HttpOperation = keyof HttpFaults;

/** Emulator-wide fault settings plus the counters that make `times` faults run out. */
export class FaultState {
  private batchFaults: BatchFaults = {};
  private tokenLimitRemaining = 0;
  private httpFaultsRemaining: Record<HttpOperation, number> = {
    upload: 0,
    createBatch: 0,
    retrieveBatch: 0,
    fileContent: 0,
  };
  /** How often each marker text has fired, across batches and synchronous calls. */
  private readonly markerUses = new Map<string, number>();

  constructor(batchFaults: BatchFaults = {}, httpFaults: HttpFaults = {}) {
    this.setBatchFaults(batchFaults);
    this.setHttpFaults(httpFaults);
  }

  setBatchFaults(faults: BatchFaults): void {
    this.batchFaults = { ...faults };
    const tokenLimit = faults.tokenLimitExceeded;
    this.tokenLimitRemaining =
      tokenLimit === true ? Number.POSITIVE_INFINITY : typeof tokenLimit === 'object' ? tokenLimit.times : 0;
  }

  setHttpFaults(faults: HttpFaults): void {
    this.httpFaultsRemaining = {
      upload: faults.upload ?? 0,
      createBatch: faults.createBatch ?? 0,
      retrieveBatch: faults.retrieveBatch ?? 0,
      fileContent: faults.fileContent ?? 0,
    };
  }

  /** True when this call of the operation must answer 500; each such answer uses up one. */
  takeHttpFault(operation: HttpOperation): boolean {
    if (this.httpFaultsRemaining[operation] <= 0) return false;
    this.httpFaultsRemaining[operation] -= 1;
    return true;
  }

  /** True when the marker fires this time; a marker with `times=N` fires for its first N uses only. */
  takeMarker(marker: FaultMarker): boolean {
    const times = markerTimes(marker);
    if (times === undefined) return true;
    const used = this.markerUses.get(marker.text) ?? 0;
    if (used >= times) return false;
    this.markerUses.set(marker.text, used + 1);
    return true;
  }

  /** Combines the emulator's faults with the batch markers found in the batch's lines (each counted once). */
  resolveBatchFaults(markers: readonly FaultMarker[]): ResolvedBatchFaults {
    const resolved: ResolvedBatchFaults = {
      failValidation: this.batchFaults.failValidation === true,
      tokenLimitExceeded: this.takeEmulatorTokenLimit(),
      stopEarly: this.emulatorStopEarly(),
      outputFileMissing: this.batchFaults.outputFileMissing === true,
      extraInProgressMs: 0,
    };
    for (const marker of markers) {
      const kind = marker.settings.get('batch');
      if (kind === undefined || !this.takeMarker(marker)) continue;
      if (kind === 'fail_validation') resolved.failValidation = true;
      else if (kind === 'token_limit_exceeded') resolved.tokenLimitExceeded = true;
      else if (kind === 'output_file_missing') resolved.outputFileMissing = true;
      else if (kind === 'slow')
        resolved.extraInProgressMs = Math.max(resolved.extraInProgressMs, Number(marker.settings.get('ms')) || 2000);
      else if (kind === 'expire' || kind === 'cancel') {
        resolved.stopEarly = { kind, fraction: markerFraction(marker) };
      }
    }
    return resolved;
  }

  /** The status a request fails with now, if one of its `status=` markers fires (each marker counted once here). */
  takeLineStatus(markers: readonly FaultMarker[], decided = new Map<string, boolean>()): number | undefined {
    for (const marker of markers) {
      const status = markerStatus(marker);
      if (status === undefined) continue;
      if (!decided.has(marker.text)) decided.set(marker.text, this.takeMarker(marker));
      if (decided.get(marker.text)) return status;
    }
    return undefined;
  }

  /** Forgets the counters (a fresh emulator life) but keeps the configured faults. */
  resetCounters(): void {
    this.markerUses.clear();
    this.setBatchFaults(this.batchFaults);
  }

  private takeEmulatorTokenLimit(): boolean {
    if (this.tokenLimitRemaining <= 0) return false;
    this.tokenLimitRemaining -= 1;
    return true;
  }

  private emulatorStopEarly(): ResolvedBatchFaults['stopEarly'] {
    const { expireAfterFraction, cancelAfterFraction } = this.batchFaults;
    if (
      expireAfterFraction !== undefined &&
      (cancelAfterFraction === undefined || expireAfterFraction <= cancelAfterFraction)
    ) {
      return { kind: 'expire', fraction: clampFraction(expireAfterFraction) };
    }
    if (cancelAfterFraction !== undefined) return { kind: 'cancel', fraction: clampFraction(cancelAfterFraction) };
    return null;
  }
}

function clampFraction(fraction: number): number {
  return Math.min(1, Math.max(0, fraction));
}
