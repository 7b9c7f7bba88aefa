import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../api-error.js';
import { openAIErrorBody } from '../openai-error.js';
import { registerBatchRoutes } from './batch-routes.js';
import type { EmulatorContext } from './emulator-context.js';
import { registerFileRoutes } from './file-routes.js';
import { registerSyncRoutes } from './sync-routes.js';

function maskedKey(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}

/** The OpenAI-shaped HTTP API of one emulator. */
export function createApp(emulator: EmulatorContext): Hono {
  const app = new Hono();

  app.use('*', async (context, next) => {
    if (emulator.apiKey === undefined) return next();
    const header = context.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) {
      const message =
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
      return context.json(openAIErrorBody(message, 'invalid_request_error'), 401);
    }
    if (match[1] !== emulator.apiKey) {
      const message = `Incorrect API key provided: ${maskedKey(match[1])}.`;
      return context.json(openAIErrorBody(message, 'invalid_request_error', null, 'invalid_api_key'), 401);
    }
    return next();
  });

  registerFileRoutes(app, emulator);
  registerBatchRoutes(app, emulator);
  registerSyncRoutes(app, emulator);

  app.notFound((context) =>
    context.json(
      openAIErrorBody(`Invalid URL (${context.req.method} ${context.req.path})`, 'invalid_request_error'),
      404,
    ),
  );
  app.onError((error, context) => {
    if (error instanceof ApiError) return context.json(error.body, error.status as ContentfulStatusCode, error.headers);
    return context.json(openAIErrorBody(`The emulator failed: ${error.message}`, 'server_error'), 500);
  });
  return app;
}
