import type { BatchLifecycle } from '../batches/batch-lifecycle.js';
import type { FaultState } from '../faults/fault-state.js';
import type { FileStore } from '../files/file-store.js';
import type { Recorder } from '../record/recorder.js';
import type { BatchLimits, Responder } from '../types.js';

/** Everything the routes share: the stores, the fault settings and the recorder of one emulator. */
export interface EmulatorContext {
  files: FileStore;
  batches: BatchLifecycle;
  faults: FaultState;
  recorder: Recorder;
  responder: Responder;
  limits: BatchLimits;
  apiKey?: string;
}
