import type { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest, notFound, parseInput } from '../api-error.js';
import { findFaultMarkersInContent, markerMilliseconds } from '../faults/fault-markers.js';
import { insufficientQuotaError } from '../faults/http-faults.js';
import { fileObject, type StoredFile } from '../files/file-store.js';
import type { EmulatorContext } from './emulator-context.js';
import { delay, jsonResponse, operation } from './request-helpers.js';

const uploadSchema = z.object({
  file: z.instanceof(File),
  purpose: z.enum(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']),
  'expires_after[anchor]': z.literal('created_at').optional(),
  'expires_after[seconds]': z.coerce.number().int().min(3600).max(2592000).optional(),
});

const listQuerySchema = z.object({
  purpose: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10000).default(10000),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().optional(),
});

function findFile(emulator: EmulatorContext, id: string): StoredFile {
  const file = emulator.files.get(id);
  if (!file) throw notFound(`No such File object: ${id}`, 'id');
  return file;
}

export function registerFileRoutes(app: Hono, emulator: EmulatorContext): void {
  app.post('/v1/files', operation(emulator, 'upload'), async (context) => {
    let form: Record<string, unknown>;
    try {
      form = await context.req.parseBody();
    } catch {
      throw invalidRequest('The request must be multipart/form-data with a file and a purpose.');
    }
    const upload = parseInput(uploadSchema, form);
    const anchor = upload['expires_after[anchor]'];
    const seconds = upload['expires_after[seconds]'];
    if ((anchor === undefined) !== (seconds === undefined)) {
      throw invalidRequest("Both 'expires_after[anchor]' and 'expires_after[seconds]' are required.", 'expires_after');
    }
    if (upload.purpose === 'batch' && !upload.file.name.endsWith('.jsonl')) {
      throw invalidRequest('Invalid file format for Batch API. Must be .jsonl', 'file');
    }
    const content = Buffer.from(await upload.file.arrayBuffer());
    // Markers in the file aim at its upload: `upload=insufficient_quota` refuses it, `upload=slow` answers late.
    const markers = findFaultMarkersInContent(content);
    if (emulator.faults.takeMarkerOf(markers, 'upload', 'insufficient_quota')) throw insufficientQuotaError();
    const slow = emulator.faults.takeMarkerOf(markers, 'upload', 'slow');
    const file = emulator.files.add({
      purpose: upload.purpose,
      filename: upload.file.name,
      content,
      expiresAfterSeconds: seconds,
    });
    emulator.recorder.addFile({ id: file.id, purpose: file.purpose, bytes: file.bytes, filename: file.filename });
    if (slow) await delay(markerMilliseconds(slow));
    return jsonResponse(context, fileObject(file));
  });

  app.get('/v1/files', operation(emulator, 'listFiles'), (context) => {
    const query = parseInput(listQuerySchema, context.req.query());
    const { data, hasMore } = emulator.files.list(query);
    return jsonResponse(context, {
      object: 'list',
      data: data.map(fileObject),
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: hasMore,
    });
  });

  app.get('/v1/files/:id', operation(emulator, 'retrieveFile'), (context) =>
    jsonResponse(context, fileObject(findFile(emulator, context.req.param('id')))),
  );

  app.get('/v1/files/:id/content', operation(emulator, 'fileContent'), (context) => {
    const file = findFile(emulator, context.req.param('id'));
    return context.body(new Uint8Array(file.content), 200, { 'content-type': 'application/octet-stream' });
  });

  app.delete('/v1/files/:id', operation(emulator, 'deleteFile'), (context) => {
    const file = findFile(emulator, context.req.param('id'));
    emulator.files.delete(file.id);
    return jsonResponse(context, { id: file.id, object: 'file', deleted: true });
  });
}
