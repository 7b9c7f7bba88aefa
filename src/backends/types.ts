/**
 * The one contract between the engine (the bridge graph and the local mode) and a batch API. A backend knows nothing
 * about LangGraph or SQLite: it turns requests into batches and a terminal batch into one outcome per request.
 * `Payload` is what a request carries for its API: for OpenAI the endpoint and body the official provider built.
 */

/** One request as the engine hands it to a backend. */
export interface BatchRequest<Payload = unknown> {
  /** Unique within a batch; the only key a result is matched back by. */
  customId: string;
  payload: Payload;
}

/** Requests that go into one batch, as the backend planned them. */
export interface BatchGroup<Payload = unknown> {
  /** What the requests share, for people and for per-group decisions, e.g. `/v1/chat/completions gpt-4o-mini`. */
  label: string;
  requests: Array<BatchRequest<Payload>>;
}

export interface PlanOptions {
  /** At most this many requests in one group (the engine's `maxRequests`, or a cut after a token limit). */
  maxRequestsPerBatch?: number;
}

/** A batch the API accepted. */
export interface SubmittedBatch {
  batchId: string;
  /** Milliseconds since the epoch. */
  submittedAt: number;
}

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** The final word on one request: what a waiting call is answered with. */
export type Outcome =
  | {
      type: 'success';
      statusCode: number;
      /** The response body (a chat completion, a Responses object, an embeddings list, ...). */
      body: unknown;
    }
  | {
      type: 'error';
      /** HTTP status of the line, when the line got an HTTP answer. */
      statusCode?: number;
      /** The error body the API returned for the line, when there was one. */
      body?: unknown;
      /** A machine-readable code: `batch_expired`, `token_limit_exceeded`, the API's error code, ... */
      code: string;
      message: string;
      /** Submitting the same request again may succeed (expiry, cancellation by the system, 429, 5xx, token limits). */
      retryable?: boolean;
    };

/** An outcome as a backend reports it: for the request of that custom id. */
export type RequestOutcome = Outcome & { customId: string };

export interface BatchPoll {
  /** The API's own status word, e.g. `in_progress`, `completed`, `expired`. */
  status: string;
  /** True once the batch will change no more; `outcomes` is then present. */
  terminal: boolean;
  requestCounts?: RequestCounts;
  /** Present exactly when terminal: one outcome per submitted custom id (a missing one counts as retryable). */
  outcomes?: RequestOutcome[];
}

export interface BatchBackend<Payload = unknown> {
  /**
   * Groups requests into batches the API accepts, without calling it. Throws for requests it cannot place (a
   * malformed payload, one larger than a whole batch); the engine then plans them one by one to answer each alone.
   */
  plan(requests: Array<BatchRequest<Payload>>, options?: PlanOptions): Array<BatchGroup<Payload>>;
  /**
   * Uploads and creates one planned group's batch. `metadata.batch_bridge_submission`, when given, is a tag the engine
   * recorded before the call; `findSubmitted` looks for it if the process died before the batch id was recorded.
   */
  submit(group: BatchGroup<Payload>, options: { metadata: Record<string, string> }): Promise<SubmittedBatch>;
  /** Retrieves a batch; once it is terminal, reads its results and returns every outcome. */
  poll(batch: { batchId: string; customIds: string[] }): Promise<BatchPoll>;
  /** Asks the API to cancel a batch; its requests get their outcomes from a later poll. */
  cancel?(batchId: string): Promise<void>;
  /** The batch created with this submission tag since `since` (ms), or null when none was created. */
  findSubmitted?(submissionTag: string, since: number): Promise<string | null>;
  /**
   * The newest batches at the API whose metadata holds every pair of `metadata`, created since `since` (ms), newest
   * first; reads at most `maxPages` pages and looks at most at `maxBatches` batches (the engine's reconciliation).
   */
  listRecent?(options: ListRecentOptions): Promise<RecentBatches>;
  /** The custom ids of a batch's lines, in the order of its input (read back from the API). */
  customIdsOf?(batchId: string): Promise<string[]>;
}

export interface ListRecentOptions {
  since: number;
  metadata: Record<string, string>;
  maxBatches: number;
  maxPages: number;
}

/** A batch as the API lists it. */
export interface ListedBatch {
  batchId: string;
  /** The API's own status word. */
  status: string;
  terminal: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  metadata: Record<string, string>;
  /** What the batch's requests share, as plan() labels a group (e.g. `/v1/chat/completions gpt-4o-mini`), if known. */
  label: string;
  requestCounts?: RequestCounts;
  /** A one-line shell command a person can run to cancel it (it names the key's variable, never the key). */
  cancelCommand?: string;
}

export interface RecentBatches {
  batches: ListedBatch[];
  /** API calls (pages) it took. */
  pages: number;
  /** Batches looked at, matching or not. */
  scanned: number;
  /** True when the list reached `since`; false when a cap stopped it first. */
  complete: boolean;
}

/**
 * True for an error of submit() after which the batch may exist all the same (a create that timed out or answered
 * 5xx). The engine then keeps the submission for `findSubmitted` instead of submitting its requests again. A
 * backend's error says so with a `submissionMayExist: true` property.
 */
export function submissionMayExist(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { submissionMayExist?: unknown }).submissionMayExist === true
  );
}

/** The metadata key that ties a batch to the submission the engine recorded before creating it. */
export const submissionMetadataKey = 'batch_bridge_submission';

/** The metadata key naming the bridge (its graph id) that created a batch. */
export const bridgeMetadataKey = 'batch_bridge';

/**
 * The metadata key naming the deployment that created a batch: a random id created once in the bridge's store. Two
 * deployments that share an API key and a graph id never share it, so only a batch carrying it is provably this
 * deployment's (and may be cancelled without asking).
 */
export const deploymentMetadataKey = 'batch_bridge_deployment';
