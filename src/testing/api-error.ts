import type { z } from 'zod';
import { openAIErrorBody, type OpenAIErrorBody } from './openai-error.js';

/** Thrown by route handlers; the app's error handler turns it into the OpenAI error response. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 429 | 500,
    readonly body: OpenAIErrorBody,
    /** Extra response headers, such as `retry-after` on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error.message);
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, openAIErrorBody(message, 'invalid_request_error', param, code));
}

export function notFound(message: string, param: string | null = null): ApiError {
  return new ApiError(404, openAIErrorBody(message, 'invalid_request_error', param));
}

export function serverError(): ApiError {
  return new ApiError(
    500,
    openAIErrorBody('The server had an error while processing your request. Sorry about that!', 'server_error'),
  );
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function paramName(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** Parses input with zod and words the first problem the way OpenAI does ("Missing required parameter: 'x'."). */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = paramName(issue.path);
  const received = valueAt(input, issue.path);
  if (received === undefined && issue.path.length > 0) {
    throw invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const supported = (issue.values as unknown[]).map((value) => `'${String(value)}'`).join(', ');
    throw invalidRequest(
      `Invalid value: '${String(received)}'. Supported values are: ${supported}.`,
      param,
      'invalid_value',
    );
  }
  throw invalidRequest(`Invalid '${param}': ${issue.message}.`, param || null, 'invalid_value');
}
