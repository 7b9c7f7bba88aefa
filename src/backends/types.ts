/**
 * The contract between the bridge and a batch API. A backend knows nothing about LangGraph: it turns requests into
 * batches and batches into one outcome per request.
 */

/** One request as it goes into a batch input line. */
export interface BatchRequest {
  /** Unique within a submission; the only key results are matched by. */
  customId: string;
  /** The endpoint path, e.g. `/v1/chat/completions`; it is the batch line's `url`. */
  url: string;
  /** The JSON body exactly as the synchronous API would have received it. */
  body: Record<string, unknown>;
}

/** Requests that go into one batch: same endpoint, same model, within the size limits. */
export interface BatchGroup {
  url: string;
  model: string;
  requests: BatchRequest[];
  /** Size of the JSONL input file this group becomes, in bytes. */
  bytes: number;
}

/** A batch that the API accepted. */
export interface SubmittedBatch {
  batchId: string;
  inputFileId: string;
  url: string;
  model: string;
  customIds: string[];
  /** Milliseconds since the epoch. */
  submittedAt: number;
}

export type BatchStatus =
  | 'validating'
  | 'failed'
  | 'in_progress'
  | 'finalizing'
  | 'completed'
  | 'expired'
  | 'cancelling'
  | 'cancelled';

export const terminalBatchStatuses: readonly BatchStatus[] = ['failed', 'completed', 'expired', 'cancelled'];

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** The final word on one request of a terminal batch. */
export type RequestOutcome =
  | {
      type: 'success';
      customId: string;
      statusCode: number;
      /** The response body (a chat completion, a Responses object, an embeddings list). */
      body: unknown;
    }
  | {
      type: 'error';
      customId: string;
      /** HTTP status of the line, when the line got an HTTP answer. */
      statusCode?: number;
      /** The error body the API returned for the line, when there was one. */
      body?: unknown;
      /** A machine-readable code: `batch_expired`, `token_limit_exceeded`, the API's error code, ... */
      code: string;
      message: string;
      /** True when submitting the same request again may succeed (expiry, cancellation by the system, 429, 5xx). */
      retryable: boolean;
    };

export interface BatchPoll {
  batchId: string;
  status: BatchStatus;
  requestCounts: RequestCounts;
  /** Present exactly when the batch is terminal: one outcome per submitted custom id. */
  outcomes?: RequestOutcome[];
}

export interface Backend {
  /** Splits requests into batch groups (by endpoint and model, within the limits) without calling the API. */
  plan(requests: BatchRequest[]): BatchGroup[];
  /** Uploads one group's input file and creates its batch. */
  submit(group: BatchGroup, options?: { metadata?: Record<string, string> }): Promise<SubmittedBatch>;
  /** Retrieves a batch; once it is terminal, downloads its output and error files and returns every outcome. */
  poll(batch: Pick<SubmittedBatch, 'batchId' | 'customIds'>): Promise<BatchPoll>;
  /** Asks the API to cancel a batch. Its requests get their outcomes from a later poll. */
  cancel(batchId: string): Promise<void>;
}
