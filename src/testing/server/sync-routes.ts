import type { Hono } from 'hono';
import { findFaultMarkers } from '../faults/fault-markers.js';
import { errorBodyForStatus } from '../openai-error.js';
import type { ResponderRequest } from '../types.js';
import type { EmulatorContext } from './emulator-context.js';
import { jsonResponse, operation, readJsonObject } from './request-helpers.js';

const syncEndpoints: Array<{ url: ResponderRequest['url']; operationName: string }> = [
  { url: '/v1/chat/completions', operationName: 'chatCompletions' },
  { url: '/v1/responses', operationName: 'responses' },
  { url: '/v1/embeddings', operationName: 'embeddings' },
];

/** The synchronous endpoints answer from the same responder (and the same status markers) as batch lines. */
export function registerSyncRoutes(app: Hono, emulator: EmulatorContext): void {
  for (const { url, operationName } of syncEndpoints) {
    app.post(url, operation(emulator, operationName), async (context) => {
      const body = await readJsonObject(context);
      emulator.recorder.countSyncCall();
      const injectedStatus = emulator.faults.takeLineStatus(findFaultMarkers(body));
      if (injectedStatus !== undefined) {
        return jsonResponse(context, errorBodyForStatus(injectedStatus, 'injected by a fault marker'), injectedStatus);
      }
      const { statusCode, body: answer } = emulator.responder({ url, body });
      return jsonResponse(context, answer, statusCode);
    });
  }
}
