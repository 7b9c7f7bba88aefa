import { invalidRequest } from '../api-error.js';
import { findFaultMarkers } from '../faults/fault-markers.js';
import type { FaultState } from '../faults/fault-state.js';
import type { FileStore, StoredFile } from '../files/file-store.js';
import { newIdentifier, unixSeconds } from '../identifiers.js';
import { createRandom, hashString, shuffled } from '../random.js';
import type { Recorder } from '../record/recorder.js';
import type { BatchLimits, EnqueuedTokenLimit, LifecycleTimings, Responder } from '../types.js';
import { executeUpTo, writeResultFiles } from './batch-execution.js';
import { timestampNames, type BatchState, type BatchStatus, type TimestampName } from './batch-state.js';
import { validateBatchInput, type BatchErrorEntry } from './input-validation.js';
import {
  enqueuedTokenLimitFor,
  estimateInputTokens,
  injectedValidationErrors,
  tokenLimitError,
} from './validation-verdict.js';

export interface LifecycleDependencies {
  files: FileStore;
  faults: FaultState;
  recorder: Recorder;
  responder: Responder;
  limits: BatchLimits;
  seed: number;
  timings: () => LifecycleTimings;
  enqueuedTokenLimit: () => EnqueuedTokenLimit | undefined;
}

export interface CreateBatchInput {
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  outputExpiresAfterSeconds?: number;
}

const completionWindowSeconds = 24 * 3600;

/** Batches and the timers that move them validating → in_progress → finalizing → completed (or off that road). */
export class BatchLifecycle {
  private readonly batches = new Map<string, BatchState>();
  private nextSequence = 0;

  constructor(private readonly dependencies: LifecycleDependencies) {}

  /** Validation runs now, but its verdict only shows when `validating` ends, as with OpenAI. */
  create(file: StoredFile, input: CreateBatchInput): BatchState {
    const validation = validateBatchInput(file.content, input.endpoint, this.dependencies.limits);
    const lineMarkers = validation.lines.map((line) => findFaultMarkers(line.body));
    const now = Date.now();
    const timestamps = Object.fromEntries(timestampNames.map((name) => [name, null])) as Record<
      TimestampName,
      number | null
    >;
    timestamps.created_at = unixSeconds(now);
    timestamps.expires_at = unixSeconds(now) + completionWindowSeconds;
    const batch: BatchState = {
      id: newIdentifier('batch_', 32),
      sequence: this.nextSequence++,
      inputFileId: file.id,
      ...input,
      status: 'validating',
      timestamps,
      validation,
      lineMarkers,
      estimatedInputTokens: estimateInputTokens(validation.lines),
      faults: this.dependencies.faults.resolveBatchFaults(lineMarkers.flat()),
      errors: null,
      processingOrder: [],
      lineFaults: [],
      results: [],
      doneCount: 0,
      stopped: false,
      phaseStartedAt: now,
      outputFileId: null,
      errorFileId: null,
    };
    this.batches.set(batch.id, batch);
    this.dependencies.recorder.addBatch({
      batchId: batch.id,
      inputFileId: file.id,
      endpoint: input.endpoint,
      model: validation.model,
      customIds: validation.submittedLines.map((line) => line.custom_id),
      lines: validation.submittedLines,
      createdAt: now,
    });
    this.schedule(batch);
    return batch;
  }

  /** The batch with its progress brought up to now. */
  get(id: string): BatchState | undefined {
    const batch = this.batches.get(id);
    if (batch) this.refreshProgress(batch);
    return batch;
  }

  list(after: string | undefined, limit: number): { data: BatchState[]; hasMore: boolean } {
    const newestFirst = [...this.batches.values()].sort((left, right) => right.sequence - left.sequence);
    const start = after === undefined ? 0 : newestFirst.findIndex((batch) => batch.id === after) + 1;
    const data = newestFirst.slice(start, start + limit);
    for (const batch of data) this.refreshProgress(batch);
    return { data, hasMore: start + limit < newestFirst.length };
  }

  /** Starts cancelling. `strict` (the API) refuses finished batches; a dashboard-style cancel ignores them. */
  cancel(batch: BatchState, strict: boolean): void {
    if (batch.status === 'cancelling' || batch.status === 'cancelled') return;
    if (batch.status === 'completed' || batch.status === 'failed' || batch.status === 'expired') {
      if (strict) throw invalidRequest(`Cannot cancel a batch with status '${batch.status}'.`, 'batch_id');
      return;
    }
    this.refreshProgress(batch);
    batch.stopped = true;
    this.enter(batch, 'cancelling');
  }

  /** Timings changed: every waiting timer is re-aimed at its phase start plus the new duration. */
  rescheduleAll(): void {
    for (const batch of this.batches.values()) this.schedule(batch);
  }

  clear(): void {
    for (const batch of this.batches.values()) clearTimeout(batch.timer);
    this.batches.clear();
    this.nextSequence = 0;
  }

  private refreshProgress(batch: BatchState): void {
    if (batch.status === 'in_progress' && !batch.stopped) {
      const duration = this.dependencies.timings().inProgressMs + batch.faults.extraInProgressMs;
      const elapsed = Date.now() - batch.phaseStartedAt;
      const total = batch.processingOrder.length;
      let count = Math.floor(total * (duration <= 0 ? 1 : Math.min(1, elapsed / duration)));
      // Never show more done than a stop-early fault will leave done.
      if (batch.faults.stopEarly) count = Math.min(count, Math.floor(total * batch.faults.stopEarly.fraction));
      batch.doneCount = Math.max(batch.doneCount, count);
    }
    executeUpTo(batch, batch.doneCount, this.dependencies.responder);
  }

  private dueTime(batch: BatchState): number | undefined {
    const timings = this.dependencies.timings();
    switch (batch.status) {
      case 'validating':
        return batch.phaseStartedAt + timings.validatingMs;
      case 'in_progress':
        return (
          batch.phaseStartedAt +
          (batch.faults.stopEarly?.fraction ?? 1) * (timings.inProgressMs + batch.faults.extraInProgressMs)
        );
      case 'finalizing':
      case 'cancelling':
        return batch.phaseStartedAt + timings.finalizingMs;
      default:
        return undefined;
    }
  }

  private schedule(batch: BatchState): void {
    clearTimeout(batch.timer);
    batch.timer = undefined;
    const due = this.dueTime(batch);
    if (due === undefined) return;
    batch.timer = setTimeout(() => this.advance(batch), Math.max(0, due - Date.now()));
    // A forgotten emulator must not keep a test process alive.
    batch.timer.unref();
  }

  private advance(batch: BatchState): void {
    batch.timer = undefined;
    if (batch.status === 'validating') this.finishValidation(batch);
    else if (batch.status === 'in_progress') this.finishRunning(batch);
    else if (batch.status === 'finalizing') this.finish(batch, 'completed', null);
    else if (batch.status === 'cancelling') this.finish(batch, 'cancelled', 'batch_cancelled');
  }

  private finishValidation(batch: BatchState): void {
    const { validation, faults } = batch;
    if (validation.errors.length > 0) return this.fail(batch, validation.errors);
    const injected = injectedValidationErrors(batch);
    if (injected.length > 0) return this.fail(batch, injected);
    if (faults.tokenLimitExceeded) return this.fail(batch, [tokenLimitError(validation.model)]);
    const limit = enqueuedTokenLimitFor(this.dependencies.enqueuedTokenLimit(), validation.model);
    if (limit !== undefined && this.enqueuedTokens(validation.model) + batch.estimatedInputTokens > limit) {
      return this.fail(batch, [tokenLimitError(validation.model, limit)]);
    }
    const random = createRandom(hashString(`${this.dependencies.seed}:${batch.sequence}`));
    batch.processingOrder = shuffled(
      validation.lines.map((_, index) => index),
      random,
    );
    const decided = new Map<string, boolean>();
    batch.lineFaults = batch.lineMarkers.map((markers) => this.dependencies.faults.takeLineFault(markers, decided));
    this.enter(batch, 'in_progress');
  }

  private finishRunning(batch: BatchState): void {
    const total = batch.processingOrder.length;
    const stopEarly = batch.faults.stopEarly;
    if (!stopEarly) {
      batch.doneCount = total;
      executeUpTo(batch, total, this.dependencies.responder);
      return this.enter(batch, 'finalizing');
    }
    batch.doneCount = Math.floor(total * stopEarly.fraction);
    batch.stopped = true;
    executeUpTo(batch, batch.doneCount, this.dependencies.responder);
    if (stopEarly.kind === 'expire') this.finish(batch, 'expired', 'batch_expired');
    else this.enter(batch, 'cancelling');
  }

  /** Tokens of a model's batches that hold their place in OpenAI's queue: accepted and not finished. */
  enqueuedTokens(model: string | null): number {
    let total = 0;
    for (const other of this.batches.values()) {
      const running = other.status === 'in_progress' || other.status === 'finalizing' || other.status === 'cancelling';
      if (running && other.validation.model === model) total += other.estimatedInputTokens;
    }
    return total;
  }

  private fail(batch: BatchState, errors: BatchErrorEntry[]): void {
    batch.errors = errors;
    this.enter(batch, 'failed');
  }

  private finish(
    batch: BatchState,
    status: BatchStatus,
    unfinishedCode: 'batch_expired' | 'batch_cancelled' | null,
  ): void {
    if (!batch.stopped) batch.doneCount = batch.processingOrder.length;
    executeUpTo(batch, batch.doneCount, this.dependencies.responder);
    writeResultFiles(batch, this.dependencies.files, unfinishedCode);
    this.enter(batch, status);
  }

  private enter(batch: BatchState, status: BatchStatus): void {
    batch.status = status;
    batch.timestamps[`${status}_at` as TimestampName] = unixSeconds();
    batch.phaseStartedAt = Date.now();
    this.schedule(batch);
  }
}
