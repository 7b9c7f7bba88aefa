import type { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest, notFound, parseInput } from '../api-error.js';
import { batchObject } from '../batches/batch-object.js';
import type { BatchState } from '../batches/batch-state.js';
import {
  findFaultMarkersInContent,
  markerMilliseconds,
  markerNumber,
  type FaultMarker,
} from '../faults/fault-markers.js';
import { creationRateLimitError, insufficientQuotaError } from '../faults/http-faults.js';
import type { EmulatorContext } from './emulator-context.js';
import { delay, jsonResponse, operation, readJsonObject } from './request-helpers.js';

/** The endpoints the emulator can answer; the Batch API knows more (completions, moderations, images, videos). */
export const supportedEndpoints = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'] as const;

const metadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((metadata) => Object.keys(metadata).length <= 16, 'at most 16 key-value pairs');

const createSchema = z.object({
  input_file_id: z.string().min(1),
  endpoint: z.enum(supportedEndpoints),
  completion_window: z.enum(['24h']),
  metadata: metadataSchema.nullish(),
  output_expires_after: z
    .object({ anchor: z.literal('created_at'), seconds: z.number().int().min(3600).max(2592000) })
    .optional(),
});

const listQuerySchema = z.object({
  after: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

function findBatch(emulator: EmulatorContext, id: string): BatchState {
  const batch = emulator.batches.get(id);
  if (!batch) throw notFound(`No batch found with id '${id}'.`, 'batch_id');
  return batch;
}

/**
 * Markers in the input file aim at the batch's creation: `create=insufficient_quota` and `create=rate_limit` (with
 * `retry_after=S` / `retry_after_ms=MS`) refuse it; a `create=slow` marker is returned for the caller to answer late.
 */
function refuseCreationByMarker(emulator: EmulatorContext, content: Buffer): FaultMarker | undefined {
  const markers = findFaultMarkersInContent(content);
  if (markers.length === 0) return undefined;
  if (emulator.faults.takeMarkerOf(markers, 'create', 'insufficient_quota')) throw insufficientQuotaError();
  const limited = emulator.faults.takeMarkerOf(markers, 'create', 'rate_limit');
  if (limited) {
    throw creationRateLimitError({
      seconds: markerNumber(limited, 'retry_after'),
      ms: markerNumber(limited, 'retry_after_ms'),
    });
  }
  return emulator.faults.takeMarkerOf(markers, 'create', 'slow');
}

export function registerBatchRoutes(app: Hono, emulator: EmulatorContext): void {
  app.post('/v1/batches', operation(emulator, 'createBatch'), async (context) => {
    const input = parseInput(createSchema, await readJsonObject(context));
    const file = emulator.files.get(input.input_file_id);
    if (!file) throw notFound(`No such File object: ${input.input_file_id}`, 'input_file_id');
    if (file.purpose !== 'batch') {
      throw invalidRequest(`The input file must have purpose 'batch', not '${file.purpose}'.`, 'input_file_id');
    }
    const slow = refuseCreationByMarker(emulator, file.content);
    const batch = emulator.batches.create(file, {
      endpoint: input.endpoint,
      completionWindow: input.completion_window,
      metadata: input.metadata ?? null,
      outputExpiresAfterSeconds: input.output_expires_after?.seconds,
    });
    if (slow) await delay(markerMilliseconds(slow));
    return jsonResponse(context, batchObject(batch));
  });

  app.get('/v1/batches', operation(emulator, 'listBatches'), (context) => {
    const query = parseInput(listQuerySchema, context.req.query());
    const { data, hasMore } = emulator.batches.list(query.after, query.limit);
    return jsonResponse(context, {
      object: 'list',
      data: data.map(batchObject),
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: hasMore,
    });
  });

  app.get('/v1/batches/:id', operation(emulator, 'retrieveBatch'), (context) =>
    jsonResponse(context, batchObject(findBatch(emulator, context.req.param('id')))),
  );

  app.post('/v1/batches/:id/cancel', operation(emulator, 'cancelBatch'), (context) => {
    const batch = findBatch(emulator, context.req.param('id'));
    emulator.batches.cancel(batch, true);
    return jsonResponse(context, batchObject(batch));
  });
}
