import type { BatchFaults, HttpFaults } from '../types.js';
import { HttpFaultState } from './http-faults.js';
import { markerFraction, markerMilliseconds, markerStatus, markerTimes, type FaultMarker } from './fault-markers.js';

/** The faults one batch gets, fixed when it is created so that flipping emulator faults later cannot reach it. */
export interface ResolvedBatchFaults {
  failValidation: boolean;
  /** 1-based input lines to report as failing validation (emulator-wide `failValidation: { lines }`). */
  failValidationLines: number[];
  /** Texts of the `line=fail_validation` markers that fired: the lines holding them fail validation. */
  failValidationMarkers: Set<string>;
  /** Output and error files expire this long after they are written; undefined: the usual 30 days. */
  outputFileTtlMs: number | undefined;
  tokenLimitExceeded: boolean;
  /** Stop `in_progress` early, with this fraction of lines done. */
  stopEarly: { kind: 'expire' | 'cancel'; fraction: number } | null;
  outputFileMissing: boolean;
  /** Extra milliseconds this batch stays `in_progress` (a slow batch among fast ones). */
  extraInProgressMs: number;
}

/** What line markers do to one request: fail it with a status (and error code), or break its output line. */
export interface LineFault {
  statusCode?: number;
  /** `code=` of the marker: `insufficient_quota` gives OpenAI's quota body instead of the generic one for the status. */
  errorCode?: string;
  /** The request's line in the output (or error) file is cut short, so it is not valid JSON. */
  malformed?: boolean;
}

/** Emulator-wide fault settings plus the counters that make `times` faults run out. */
export class FaultState {
  private batchFaults: BatchFaults = {};
  private tokenLimitRemaining = 0;
  /** The HTTP faults: the operation middleware asks it before every call. */
  readonly http = new HttpFaultState();
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
    this.http.set(faults);
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

  /** The first marker saying `key=value` (any value when absent) that fires now; its `times` are used up by it. */
  takeMarkerOf(markers: readonly FaultMarker[], key: string, value?: string): FaultMarker | undefined {
    return markers.find(
      (marker) =>
        marker.settings.has(key) &&
        (value === undefined || marker.settings.get(key) === value) &&
        this.takeMarker(marker),
    );
  }

  /** Combines the emulator's faults with the batch markers found in the batch's lines (each counted once). */
  resolveBatchFaults(markers: readonly FaultMarker[]): ResolvedBatchFaults {
    const resolved: ResolvedBatchFaults = {
      failValidation: this.batchFaults.failValidation === true,
      failValidationLines:
        typeof this.batchFaults.failValidation === 'object' ? [...this.batchFaults.failValidation.lines] : [],
      failValidationMarkers: new Set(),
      outputFileTtlMs: this.batchFaults.outputFileTtlMs,
      tokenLimitExceeded: this.takeEmulatorTokenLimit(),
      stopEarly: this.emulatorStopEarly(),
      outputFileMissing: this.batchFaults.outputFileMissing === true,
      extraInProgressMs: 0,
    };
    for (const marker of markers) {
      if (marker.settings.get('line') === 'fail_validation' && this.takeMarker(marker)) {
        resolved.failValidationMarkers.add(marker.text);
      }
      const kind = marker.settings.get('batch');
      if (kind === undefined || !this.takeMarker(marker)) continue;
      if (kind === 'fail_validation') resolved.failValidation = true;
      else if (kind === 'token_limit_exceeded') resolved.tokenLimitExceeded = true;
      else if (kind === 'output_file_missing') resolved.outputFileMissing = true;
      else if (kind === 'output_expires') resolved.outputFileTtlMs = markerMilliseconds(marker, 0);
      else if (kind === 'slow')
        resolved.extraInProgressMs = Math.max(resolved.extraInProgressMs, Number(marker.settings.get('ms')) || 2000);
      else if (kind === 'expire' || kind === 'cancel') {
        resolved.stopEarly = { kind, fraction: markerFraction(marker) };
      }
    }
    return resolved;
  }

  /**
   * What a request suffers now from its line markers: a `status=` failure (with `code=insufficient_quota` for the
   * quota body) and/or `line=malformed`. `decided` makes a marker text count once per batch however many lines hold it.
   */
  takeLineFault(markers: readonly FaultMarker[], decided = new Map<string, boolean>()): LineFault | undefined {
    const fires = (marker: FaultMarker): boolean => {
      if (!decided.has(marker.text)) decided.set(marker.text, this.takeMarker(marker));
      return decided.get(marker.text) === true;
    };
    let fault: LineFault | undefined;
    for (const marker of markers) {
      const status = markerStatus(marker);
      if (status !== undefined && fault?.statusCode === undefined && fires(marker)) {
        fault = { ...fault, statusCode: status, errorCode: marker.settings.get('code') };
      } else if (marker.settings.get('line') === 'malformed' && fires(marker)) fault = { ...fault, malformed: true };
    }
    return fault;
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
