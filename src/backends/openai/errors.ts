/**
 * Typed errors of the OpenAI backend. Every one carries `retryable`, so the bridge can decide between "try again
 * later" and "give up" without parsing messages.
 */

/** The API operations the backend performs, named the way error messages and the emulator's call record name them. */
export type BatchApiOperation =
  'upload' | 'createBatch' | 'retrieveBatch' | 'fileContent' | 'cancelBatch' | 'listBatches' | 'deleteFile';

export class BatchBackendError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(message: string, options: { code: string; retryable: boolean }) {
    super(message);
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

/** The backend settings are invalid. Messages name the setting, never its value (it may be the API key). */
export class BatchSettingsError extends BatchBackendError {
  constructor(message: string) {
    super(message, { code: 'invalid_settings', retryable: false });
  }
}

export type BatchPlanErrorCode =
  | 'duplicate_custom_id'
  | 'invalid_request'
  | 'missing_model'
  | 'unsupported_endpoint'
  | 'request_too_large'
  | 'group_mismatch';

/** Requests that cannot be turned into batches as given. `customId` names the offending request when there is one. */
export class BatchPlanError extends BatchBackendError {
  declare readonly code: BatchPlanErrorCode;
  readonly customId: string | undefined;

  constructor(code: BatchPlanErrorCode, message: string, customId?: string) {
    super(message, { code, retryable: false });
    this.customId = customId;
  }
}

/** Batch metadata outside OpenAI's limits (16 pairs, keys up to 64 characters, values up to 512). */
export class BatchMetadataError extends BatchBackendError {
  constructor(message: string) {
    super(message, { code: 'invalid_metadata', retryable: false });
  }
}

/**
 * An API call failed for good: a non-transient answer, or a transient one that outlasted the retries.
 * The message says which operation failed and is scrubbed of credentials; the original error is deliberately not
 * kept as `cause`, because client errors may carry request details.
 */
export class BatchApiError extends BatchBackendError {
  readonly operation: BatchApiOperation;
  /** HTTP status of the last answer; undefined when there was none (connection failure). */
  readonly status: number | undefined;
  /** How many times the call was tried. */
  readonly attempts: number;
  /** How long the API asked to wait before the next try (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(options: {
    operation: BatchApiOperation;
    status: number | undefined;
    retryable: boolean;
    attempts: number;
    message: string;
    code?: string;
    retryAfterMs?: number;
  }) {
    super(options.message, { code: options.code ?? 'api_error', retryable: options.retryable });
    this.operation = options.operation;
    this.status = options.status;
    this.attempts = options.attempts;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** A create that got no clear answer (no status, or 5xx) may have made the batch anyway. */
  get submissionMayExist(): boolean {
    return this.operation === 'createBatch' && (this.status === undefined || this.status >= 500);
  }
}

/**
 * A terminal batch names an output or error file whose content cannot be read (yet). Outcomes are never invented
 * from a partial read: the caller should poll again later.
 */
export class BatchOutputUnavailableError extends BatchApiError {
  readonly batchId: string;
  readonly fileId: string;

  constructor(options: { batchId: string; fileId: string; status: number | undefined; message: string }) {
    super({
      operation: 'fileContent',
      status: options.status,
      retryable: true,
      attempts: 1,
      message: options.message,
      code: 'output_unavailable',
    });
    this.batchId = options.batchId;
    this.fileId = options.fileId;
  }
}

/** A line of an output or error file that is not a batch output line. Polling again would read the same bytes. */
export class BatchOutputError extends BatchBackendError {
  readonly fileId: string;
  /** 1-based line number within the file; 0 when the fault is not in one line (e.g. invalid UTF-8). */
  readonly lineNumber: number;

  constructor(options: { fileId: string; lineNumber: number; reason: string }) {
    const where = options.lineNumber > 0 ? `line ${options.lineNumber} of batch file` : 'batch file';
    super(`Malformed ${where} ${options.fileId}: ${options.reason}`, {
      code: 'malformed_output',
      retryable: false,
    });
    this.fileId = options.fileId;
    this.lineNumber = options.lineNumber;
  }
}
