import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { BatchSettingsError } from '../../backends/openai/index.js';

/** How the in-process batcher reaches OpenAI: the provider's own settings, with the official environment fallbacks. */
export interface OpenAIConnection {
  apiKey?: string;
  baseURL?: string;
  organization?: string;
  project?: string;
  headers?: Record<string, string>;
  fetch?: (input: any, init?: any) => Promise<Response>;
}

const defaultBaseURL = 'https://api.openai.com/v1';

/**
 * The client the batcher submits and polls with. Its own retries are off: the backend retries every call itself, and
 * two retry loops would multiply. Built only when a request actually needs the API, so that a run answered
 * entirely from the store needs no key.
 */
export function createBatchClient(connection: OpenAIConnection, environment = process.env): OpenAI {
  const apiKey = connection.apiKey ?? (environment.OPENAI_API_KEY || undefined);
  if (!apiKey) {
    throw new BatchSettingsError(
      'batch-bridge local mode submits batches from this process and needs an OpenAI API key: pass apiKey to createBatchOpenAI or set OPENAI_API_KEY.',
    );
  }
  return new OpenAI({
    apiKey,
    baseURL: baseURLOf(connection, environment),
    organization: connection.organization ?? (environment.OPENAI_ORG_ID || null),
    project: connection.project ?? (environment.OPENAI_PROJECT_ID || null),
    defaultHeaders: connection.headers,
    fetch: connection.fetch,
    maxRetries: 0,
  });
}

/**
 * Which account's batches the store's rows belong to: a batch id means nothing at another base URL, organization or
 * project. Hashed, because a base URL may carry credentials; the API key is not part of it (it is never stored, and
 * a new key for the same project sees the same batches).
 */
export function scopeOf(connection: OpenAIConnection, environment = process.env): string {
  const parts = [
    baseURLOf(connection, environment).replace(/\/+$/, ''),
    connection.organization ?? environment.OPENAI_ORG_ID ?? '',
    connection.project ?? environment.OPENAI_PROJECT_ID ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function baseURLOf(connection: OpenAIConnection, environment: NodeJS.ProcessEnv): string {
  return connection.baseURL ?? (environment.OPENAI_BASE_URL || defaultBaseURL);
}
