import type { OpenAIBatchRequest } from './openai-types.js';
import { BatchPlanError } from './errors.js';

/** One line of a batch input file, as the Batch API reads it. */
export interface BatchInputLine {
  custom_id: string;
  method: 'POST';
  url: string;
  body: Record<string, unknown>;
}

/**
 * The exact text of one input line, newline included. Planning and uploading both go through here, so the byte sizes
 * the planner checks are the sizes of the file that is uploaded.
 */
export function serializeBatchLine(request: OpenAIBatchRequest): string {
  const { url, body } = request.payload;
  const line: BatchInputLine = { custom_id: request.customId, method: 'POST', url, body };
  let text: string | undefined;
  try {
    text = JSON.stringify(line);
  } catch (error) {
    throw new BatchPlanError(
      'invalid_request',
      `Request "${request.customId}" has a body that cannot be serialized as JSON: ${(error as Error).message}`,
      request.customId,
    );
  }
  return `${text}\n`;
}

export function batchLineBytes(line: string): number {
  return Buffer.byteLength(line, 'utf8');
}

/**
 * The whole input file. With `expectedBytes` (the planned size) the file is written into one buffer of that size
 * instead of first joining a string as large as the file, which halves the peak memory for a 200 MB file.
 */
export function serializeBatchInput(
  requests: readonly OpenAIBatchRequest[],
  expectedBytes?: number,
  lines: readonly string[] = requests.map(serializeBatchLine),
): Buffer {
  if (expectedBytes === undefined) {
    return Buffer.from(lines.join(''), 'utf8');
  }
  const file = Buffer.allocUnsafe(expectedBytes);
  let offset = 0;
  for (const line of lines) {
    const bytes = batchLineBytes(line);
    if (offset + bytes > expectedBytes) throw sizeMismatch(expectedBytes);
    offset += file.write(line, offset, bytes, 'utf8');
  }
  if (offset !== expectedBytes) throw sizeMismatch(expectedBytes);
  return file;
}

function sizeMismatch(expectedBytes: number): BatchPlanError {
  return new BatchPlanError(
    'group_mismatch',
    `The group's requests no longer serialize to its planned ${expectedBytes} bytes; were they changed after plan()?`,
  );
}
