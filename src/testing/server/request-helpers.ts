import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { invalidRequest, serverError } from '../api-error.js';
import type { HttpOperation } from '../faults/fault-state.js';
import type { EmulatorContext } from './emulator-context.js';

const httpOperations = new Set<string>(['upload', 'createBatch', 'retrieveBatch', 'fileContent']);

/** Counts the call under its operation name, then answers 500 instead when an HTTP fault is pending for it. */
export function operation(emulator: EmulatorContext, name: string): MiddlewareHandler {
  return async (_context, next) => {
    emulator.recorder.countCall(name);
    if (httpOperations.has(name) && emulator.faults.takeHttpFault(name as HttpOperation)) throw serverError();
    await next();
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
