/**
 * Options and records of the offline OpenAI Batch API emulator.
 */

/** What a responder is asked to answer: one request to a synchronous endpoint or one batch line. */
/**
 * A JSON object read loosely: request bodies and JSON schemas arrive as any JSON a client sends, and the emulator reads
 * their fields one by one as OpenAI does, checking each where it matters. The one `any` of the emulator.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose JSON, see above
export type JsonObject = Record<string, any>;

export interface ResponderRequest {
  url: '/v1/chat/completions' | '/v1/responses' | '/v1/embeddings';
  body: JsonObject;
}

/** A responder returns the HTTP status and JSON body the endpoint answers with. */
export type Responder = (request: ResponderRequest) => { statusCode: number; body: unknown };

/** Faults injected into a batch. Set for the whole emulator, or per request with a marker (see below). */
export interface BatchFaults {
  /**
   * The batch fails validation (status `failed`, `errors.data`): `true` with one entry naming no line, or
   * `{ lines }` with one entry per given 1-based line number of the input file.
   */
  failValidation?: boolean | { lines: readonly number[] };
  /** The batch fails with `errors.data[].code = "token_limit_exceeded"`. Repeat for this many batch creations. */
  tokenLimitExceeded?: boolean | { times: number };
  /** The batch expires with this fraction (0..1) of its lines done; the rest get `batch_expired` in the error file. */
  expireAfterFraction?: number;
  /** The batch is cancelled (as from the dashboard) with this fraction (0..1) of its lines done. */
  cancelAfterFraction?: number;
  /** The batch completes but its output file is missing (`output_file_id` names a file whose content 404s). */
  outputFileMissing?: boolean;
  /**
   * The batch's output and error files expire this many milliseconds after they are written: from then on
   * `GET /v1/files/{id}` and `/content` answer 404, as for a deleted or expired file. Their `expires_at` says so.
   */
  outputFileTtlMs?: number;
}

/** The emulator's API calls, named as `EmulatorRecord.calls` counts them. */
export type ApiOperation =
  | 'upload'
  | 'listFiles'
  | 'retrieveFile'
  | 'fileContent'
  | 'deleteFile'
  | 'createBatch'
  | 'retrieveBatch'
  | 'cancelBatch'
  | 'listBatches'
  | 'chatCompletions'
  | 'responses'
  | 'embeddings';

/** Faults on the HTTP API itself. `setHttpFaults` replaces all of them at once. */
export interface HttpFaults {
  /** Answer 500 for the next N calls of these operations. */
  upload?: number;
  createBatch?: number;
  retrieveBatch?: number;
  fileContent?: number;
  /**
   * Every call of these operations (or of every operation: `'all'`) answers 429 with OpenAI's `insufficient_quota`
   * body until changed: the account has run out of credit, which waiting does not fix.
   */
  insufficientQuota?: 'all' | readonly ApiOperation[];
  /**
   * The next `times` batch creations answer 429 `rate_limit_exceeded` with a `retry-after` header in whole seconds
   * (`retryAfterSeconds`, default 1, or `retryAfterMs` rounded up) and, when `retryAfterMs` is set, `retry-after-ms`.
   */
  createRateLimit?: { times: number; retryAfterSeconds?: number; retryAfterMs?: number };
  /**
   * Milliseconds every call of an operation waits before it answers. The work is done first and only the answer is
   * late, so a client that times out on `createBatch` has still created the batch, as can happen with OpenAI.
   */
  delayMs?: Partial<Record<ApiOperation, number>>;
}

/**
 * A marker in a request's text (any user message, prompt or embedding input) targets one request (README.md in this
 * folder lists every marker, including the `line=`, `upload=`, `create=` and `sync=` ones):
 *   `[[fault:status=400]]`, `[[fault:status=429,times=1]]` (the line fails with that status, `times` batches in a row
 *   counted across the emulator's life; without `times`, always),
 *   `[[fault:batch=fail_validation]]`, `[[fault:batch=token_limit_exceeded,times=2]]`, `[[fault:batch=expire]]`,
 *   `[[fault:batch=cancel]]` (the batch holding the request gets that batch fault).
 */
export const faultMarkerPattern = /\[\[fault:([^\]]+)\]\]/g;

export interface LifecycleTimings {
  /** Milliseconds spent in `validating`. */
  validatingMs: number;
  /** Milliseconds spent in `in_progress`. */
  inProgressMs: number;
  /** Milliseconds spent in `finalizing`. */
  finalizingMs: number;
}

export interface BatchLimits {
  maxRequestsPerBatch: number;
  maxBytesPerFile: number;
  /** For /v1/embeddings batches: inputs across all lines. */
  maxEmbeddingInputsPerBatch: number;
}

/** One limit for all models, or limits by exact model id. */
export type EnqueuedTokenLimit = number | Readonly<Record<string, number>>;

export interface EmulatorOptions {
  /** Port to listen on; a free one when absent or 0. */
  port?: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  timings?: Partial<LifecycleTimings>;
  limits?: Partial<BatchLimits>;
  responder?: Responder;
  faults?: BatchFaults;
  httpFaults?: HttpFaults;
  /** Seed for output shuffling; the same seed gives the same order. */
  seed?: number;
  /**
   * OpenAI's enqueued-token limit, for every model (a number) or per model id (models not named are unlimited). A batch
   * whose estimated input tokens plus those of the same model's batches still running (`in_progress`, `finalizing`,
   * `cancelling`) exceed it ends `failed` with `token_limit_exceeded` when `validating` ends. Unlimited by default.
   */
  enqueuedTokenLimit?: EnqueuedTokenLimit;
  /**
   * Model ids accepted besides the built-in list of OpenAI's (`knownOpenAIModels`, dated snapshots and `ft:` fine-tunes
   * of them included), or `'any'`. A request naming another model gets OpenAI's 404 `model_not_found`.
   */
  allowModels?: 'any' | readonly string[];
}

/** One batch as the emulator received it. */
export interface RecordedBatch {
  batchId: string;
  inputFileId: string;
  endpoint: string;
  model: string | null;
  customIds: string[];
  /** The parsed input lines. */
  lines: Array<{ custom_id: string; method: string; url: string; body: JsonObject }>;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface EmulatorRecord {
  batches: RecordedBatch[];
  /** Every uploaded file (purpose, bytes, line count). */
  files: Array<{ id: string; purpose: string; bytes: number; filename: string }>;
  /** Count of API calls by operation: upload, createBatch, retrieveBatch, fileContent, listBatches, cancelBatch, ... */
  calls: Record<string, number>;
  /** Synchronous calls: chat, responses, embeddings. */
  syncCalls: number;
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:41234/v1`, ready for `new OpenAI({ baseURL, apiKey })`. */
  baseURL: string;
  port: number;
  /** A snapshot of what was received so far. */
  record(): EmulatorRecord;
  /** custom_id → how many batch lines carried it, across all batches. */
  submittedCounts(): Map<string, number>;
  /** Change faults or timings while running (tests flip them between phases). */
  setFaults(faults: BatchFaults): void;
  setHttpFaults(faults: HttpFaults): void;
  setTimings(timings: Partial<LifecycleTimings>): void;
  /**
   * A batch's input tokens as estimated for the enqueued-token limit: about one token per four characters of the
   * strings in each valid line's body. Throws for an unknown batch id.
   */
  estimatedInputTokens(batchId: string): number;
  /** The tokens a model has enqueued now: the estimates of its batches `in_progress`, `finalizing` or `cancelling`. */
  enqueuedTokens(model: string): number;
  /** Replaces `enqueuedTokenLimit` (undefined: unlimited); batches finishing validation from now on see it. */
  setEnqueuedTokenLimit(limit: EnqueuedTokenLimit | undefined): void;
  /** Replaces `allowModels`; lines executed from now on and synchronous calls see it. */
  setAllowModels(models: 'any' | readonly string[]): void;
  /** Cancel a batch from outside, as from the OpenAI dashboard. */
  cancelBatch(batchId: string): void;
  /** Forget every file, batch and record. */
  reset(): void;
  close(): Promise<void>;
}
