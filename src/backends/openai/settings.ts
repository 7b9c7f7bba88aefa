import OpenAI from 'openai';
import { z } from 'zod';
import { validateBatchMetadata } from './batch-metadata.js';
import { BatchSettingsError } from './errors.js';

/** OpenAI's documented per-batch limits; the defaults of `limits`. */
export const openAIBatchLimits = {
  maxRequestsPerBatch: 50_000,
  maxBytesPerFile: 200 * 1024 * 1024,
  maxEmbeddingInputsPerBatch: 50_000,
} as const;

export interface OpenAIBatchLimits {
  maxRequestsPerBatch: number;
  /** Size of the JSONL input file, in bytes, exactly as uploaded. */
  maxBytesPerFile: number;
  /** For /v1/embeddings batches: embedding inputs across all lines. */
  maxEmbeddingInputsPerBatch: number;
}

export interface RetrySettings {
  /** Tries in all, the first included, for transient failures (429, 5xx, connection errors). 1 disables retrying. */
  attempts: number;
  /** Delay before the first retry; it doubles with every further retry (with jitter), capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

const positiveInteger = z.number().int().positive();

const settingsSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  baseURL: z.url().optional(),
  organization: z.string().min(1).optional(),
  project: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  fetch: z.custom<typeof fetch>((value) => typeof value === 'function', 'must be a fetch function').optional(),
  timeoutMs: positiveInteger.optional(),
  limits: z
    .strictObject({
      maxRequestsPerBatch: positiveInteger.optional(),
      maxBytesPerFile: positiveInteger.optional(),
      maxEmbeddingInputsPerBatch: positiveInteger.optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      attempts: positiveInteger.max(20).optional(),
      baseDelayMs: z.number().int().nonnegative().optional(),
      maxDelayMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  completionWindow: z.literal('24h').optional(),
  client: z
    .custom<OpenAI>(
      (value) => value instanceof OpenAI || (isObject(value) && isObject(value.files) && isObject(value.batches)),
      'must be an OpenAI client',
    )
    .optional(),
});

export type OpenAIBackendSettings = z.input<typeof settingsSchema>;

export interface ResolvedOpenAIBackendSettings {
  client: OpenAI;
  limits: OpenAIBatchLimits;
  retry: RetrySettings;
  metadata: Record<string, string> | undefined;
  completionWindow: '24h';
  /** Kept only to scrub it out of error messages; never logged, never put in an error. */
  apiKey: string | undefined;
}

const connectionSettings = ['apiKey', 'baseURL', 'organization', 'project', 'headers', 'fetch', 'timeoutMs'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Zod messages never repeat the offending value here, which matters because the value may be the API key. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'settings'}: ${issue.message}`)
    .join('; ');
}

/**
 * Validates the settings and builds the client. Environment variables fill in the key, base URL, organization and
 * project, as the official client does, but they are read here, so that an explicit `client` is never mixed with
 * half of another configuration.
 */
export function resolveOpenAIBackendSettings(
  settings: OpenAIBackendSettings = {},
  environment: Record<string, string | undefined> = process.env,
): ResolvedOpenAIBackendSettings {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new BatchSettingsError(`Invalid OpenAI backend settings: ${describeIssues(parsed.error)}`);
  }
  const values = parsed.data;
  const metadata = values.metadata ? validateBatchMetadata(values.metadata, 'settings.metadata') : undefined;
  const limits: OpenAIBatchLimits = { ...openAIBatchLimits, ...values.limits };
  const retry: RetrySettings = { attempts: 4, baseDelayMs: 500, maxDelayMs: 30_000, ...values.retry };

  if (values.client) {
    const conflicting = connectionSettings.filter((name) => values[name] !== undefined);
    if (conflicting.length > 0) {
      throw new BatchSettingsError(
        `Invalid OpenAI backend settings: ${conflicting.join(', ')} cannot be combined with client; ` +
          'configure the client instead.',
      );
    }
    const clientKey = (values.client as { apiKey?: unknown }).apiKey;
    return {
      client: values.client,
      limits,
      retry,
      metadata,
      completionWindow: '24h',
      apiKey: typeof clientKey === 'string' ? clientKey : undefined,
    };
  }

  const apiKey = values.apiKey ?? nonEmpty(environment.OPENAI_API_KEY);
  if (!apiKey) {
    throw new BatchSettingsError(
      'Invalid OpenAI backend settings: no API key. Pass apiKey, a client, or set OPENAI_API_KEY.',
    );
  }
  const client = new OpenAI({
    apiKey,
    baseURL: values.baseURL ?? nonEmpty(environment.OPENAI_BASE_URL),
    organization: values.organization ?? nonEmpty(environment.OPENAI_ORG_ID) ?? null,
    project: values.project ?? nonEmpty(environment.OPENAI_PROJECT_ID) ?? null,
    defaultHeaders: values.headers,
    fetch: values.fetch,
    timeout: values.timeoutMs,
    // The backend retries by itself (see with-retry.ts), so that the policy is one explicit setting, not two.
    maxRetries: 0,
  });
  return { client, limits, retry, metadata, completionWindow: '24h', apiKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
