import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { invalidRequest } from '../api-error.js';
import type { ApiOperation } from '../types.js';
import type { EmulatorContext } from './emulator-context.js';

/** Resolves after `ms`; an unref'd timer so that a closed emulator's late answer keeps no process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Counts the call under its operation name, then answers with an emulator-wide HTTP fault (429 quota, 429 rate limit,
 * 500) instead of doing the work when one is pending; a configured delay holds back whichever answer it gives.
 */
export function operation(emulator: EmulatorContext, name: ApiOperation): MiddlewareHandler {
  return async (_context, next) => {
    emulator.recorder.countCall(name);
    const wait = emulator.faults.http.delayFor(name);
    try {
      const error = emulator.faults.http.takeError(name);
      if (error) throw error;
      await next();
    } finally {
      if (wait > 0) await delay(wait);
    }
  };
}

/** The request's JSON object body, or OpenAI's 400 for a body that is not one. */
export async function readJsonObject(context: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await context.req.json();
  } catch {
    throw invalidRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

export function jsonResponse(context: Context, body: unknown, statusCode = 200): Response {
  return context.json(body as object, statusCode as ContentfulStatusCode);
}
