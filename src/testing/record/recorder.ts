import type { EmulatorRecord, RecordedBatch } from '../types.js';

/** What the emulator received, kept so tests can count submissions without reaching into the stores. */
export class Recorder {
  private batches: RecordedBatch[] = [];
  private files: EmulatorRecord['files'] = [];
  private calls: Record<string, number> = {};
  private syncCalls = 0;

  countCall(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }

  countSyncCall(): void {
    this.syncCalls += 1;
  }

  addFile(file: EmulatorRecord['files'][number]): void {
    this.files.push({ ...file });
  }

  addBatch(batch: RecordedBatch): void {
    this.batches.push(batch);
  }

  /** A deep copy: callers may keep or mutate it while the emulator goes on recording. */
  snapshot(): EmulatorRecord {
    return structuredClone({ batches: this.batches, files: this.files, calls: this.calls, syncCalls: this.syncCalls });
  }

  submittedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const batch of this.batches) {
      for (const line of batch.lines) counts.set(line.custom_id, (counts.get(line.custom_id) ?? 0) + 1);
    }
    return counts;
  }

  clear(): void {
    this.batches = [];
    this.files = [];
    this.calls = {};
    this.syncCalls = 0;
  }
}
