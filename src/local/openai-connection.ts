import { createHash } from 'node:crypto';
import { BatchSettingsError, createOpenAIBackend, type OpenAIBackend } from '../backends/openai/index.js';
import { definedOnly } from '../core/index.js';

/** How the in-process batcher reaches OpenAI: the provider's own settings, with the official environment fallbacks. */
export interface OpenAIConnection {
  apiKey?: string;
  baseURL?: string;
  organization?: string;
  project?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

const defaultBaseURL = 'https://api.openai.com/v1';

/**
 * The backend the batcher submits and polls with, built only when a request actually needs the API, so that a run
 * answered entirely from the store needs no key. The backend builds the client and fills in the environment.
 */
export function createLocalBackend(connection: OpenAIConnection, environment = process.env): OpenAIBackend {
  if (!connection.apiKey && !environment.OPENAI_API_KEY) {
    throw new BatchSettingsError(
      'batch-bridge local mode submits batches from this process and needs an OpenAI API key: pass apiKey to createBatchOpenAI or set OPENAI_API_KEY.',
    );
  }
  return createOpenAIBackend(definedOnly(connection));
}

/**
 * Which account's batches the store's rows belong to: a batch id means nothing at another base URL, organization or
 * project. Hashed, because a base URL may carry credentials; the API key is not part of it (it is never stored, and
 * a new key for the same project sees the same batches).
 */
export function scopeOf(connection: OpenAIConnection, environment = process.env): string {
  const parts = [
    (connection.baseURL ?? (environment.OPENAI_BASE_URL || defaultBaseURL)).replace(/\/+$/, ''),
    connection.organization ?? environment.OPENAI_ORG_ID ?? '',
    connection.project ?? environment.OPENAI_PROJECT_ID ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
