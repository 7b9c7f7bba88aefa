import type { Hono } from 'hono';
import { findFaultMarkers, markerMilliseconds } from '../faults/fault-markers.js';
import { errorBodyForFault } from '../openai-error.js';
import type { ApiOperation, ResponderRequest } from '../types.js';
import type { EmulatorContext } from './emulator-context.js';
import { delay, jsonResponse, operation, readJsonObject } from './request-helpers.js';

const syncEndpoints: Array<{ url: ResponderRequest['url']; operationName: ApiOperation }> = [
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
      const markers = findFaultMarkers(body);
      const slow = emulator.faults.takeMarkerOf(markers, 'sync', 'slow');
      if (slow) await delay(markerMilliseconds(slow));
      const fault = emulator.faults.takeLineFault(markers);
      if (fault?.statusCode !== undefined) {
        return jsonResponse(context, errorBodyForFault(fault.statusCode, fault.errorCode), fault.statusCode);
      }
      const { statusCode, body: answer } = emulator.responder({ url, body });
      return jsonResponse(context, answer, statusCode);
    });
  }
}
