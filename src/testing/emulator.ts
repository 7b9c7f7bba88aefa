import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { BatchLifecycle } from './batches/batch-lifecycle.js';
import { FaultState } from './faults/fault-state.js';
import { FileStore } from './files/file-store.js';
import { Recorder } from './record/recorder.js';
import { defaultResponder } from './responder/default-responder.js';
import type { AllowedModels } from './models/known-models.js';
import { withModelCheck } from './models/model-check.js';
import { createApp } from './server/app.js';
import type { EmulatorContext } from './server/emulator-context.js';
import type { BatchLimits, EmulatorOptions, LifecycleTimings, RunningEmulator } from './types.js';

/** Fast enough that a test sees a batch complete within ~100 ms, slow enough that every status can be observed. */
export const defaultTimings: LifecycleTimings = { validatingMs: 20, inProgressMs: 50, finalizingMs: 20 };

export const defaultLimits: BatchLimits = {
  maxRequestsPerBatch: 50_000,
  maxBytesPerFile: 200 * 1024 * 1024,
  maxEmbeddingInputsPerBatch: 50_000,
};

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    if (server.listening) return resolve(server.address() as AddressInfo);
    server.once('listening', () => resolve(server.address() as AddressInfo));
    server.once('error', reject);
  });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts an offline OpenAI Batch API (Files, Batches, chat completions, Responses, embeddings) on a local port. */
export async function startOpenAIBatchEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  let timings: LifecycleTimings = { ...defaultTimings, ...options.timings };
  const limits: BatchLimits = { ...defaultLimits, ...options.limits };
  const files = new FileStore();
  const faults = new FaultState(options.faults, options.httpFaults);
  const recorder = new Recorder();
  let allowedModels: AllowedModels = options.allowModels ?? [];
  const responder = withModelCheck(options.responder ?? defaultResponder, () => allowedModels);
  let enqueuedTokenLimit = options.enqueuedTokenLimit;
  const batches = new BatchLifecycle({
    files,
    faults,
    recorder,
    responder,
    limits,
    seed: options.seed ?? 1,
    timings: () => timings,
    enqueuedTokenLimit: () => enqueuedTokenLimit,
  });
  const context: EmulatorContext = { files, batches, faults, recorder, responder, limits, apiKey: options.apiKey };

  const host = options.host ?? '127.0.0.1';
  const app = createApp(context);
  const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }) as Server;
  const address = await listen(server);
  let closed: Promise<void> | undefined;

  return {
    baseURL: `http://${hostForUrl(host)}:${address.port}/v1`,
    port: address.port,
    record: () => recorder.snapshot(),
    submittedCounts: () => recorder.submittedCounts(),
    setFaults: (batchFaults) => faults.setBatchFaults(batchFaults),
    setHttpFaults: (httpFaults) => faults.setHttpFaults(httpFaults),
    estimatedInputTokens: (batchId) => {
      const batch = batches.get(batchId);
      if (!batch) throw new Error(`The emulator has no batch ${batchId}.`);
      return batch.estimatedInputTokens;
    },
    enqueuedTokens: (model) => batches.enqueuedTokens(model),
    setEnqueuedTokenLimit: (limit) => {
      enqueuedTokenLimit = limit;
    },
    setAllowModels: (models) => {
      allowedModels = models;
    },
    setTimings: (changes) => {
      timings = { ...timings, ...changes };
      batches.rescheduleAll();
    },
    cancelBatch: (batchId) => {
      const batch = batches.get(batchId);
      if (!batch) throw new Error(`The emulator has no batch ${batchId}.`);
      batches.cancel(batch, false);
    },
    reset: () => {
      batches.clear();
      files.clear();
      recorder.clear();
      faults.resetCounters();
    },
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        batches.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of HTTP clients would otherwise hold close() open until they time out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
