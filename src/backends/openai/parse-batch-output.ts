import { z } from 'zod';
import { BatchOutputError } from './errors.js';

/** One line of a batch output or error file (the Batch API's "request output" object). */
export interface BatchOutputLine {
  id?: string;
  custom_id: string;
  /** Present when the request got an HTTP answer, successful or not. */
  response: { status_code: number; request_id?: string | null; body: unknown } | null;
  /** Present when the request got no HTTP answer (e.g. `batch_expired`, `batch_cancelled`). */
  error: { code?: string | null; message?: string | null } | null;
}

const outputLineSchema = z.object({
  id: z.string().optional(),
  custom_id: z.string(),
  response: z
    .object({
      status_code: z.number().int(),
      request_id: z.string().nullish(),
      body: z.unknown(),
    })
    .nullish()
    .transform((value) => value ?? null),
  error: z
    .object({ code: z.string().nullish(), message: z.string().nullish() })
    .nullish()
    .transform((value) => value ?? null),
});

/** A non-empty line of text and its 1-based position in the file. */
export interface NumberedLine {
  lineNumber: number;
  text: string;
}

/**
 * Splits a byte stream into lines as it arrives, so a 200 MB file never becomes one string nor one array of
 * strings. Blank lines (the trailing newline, CRLF leftovers) are skipped but still counted, so line numbers match
 * the file.
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<NumberedLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  // Where to look for the next newline: a long line arriving in many chunks is scanned once, not once per chunk.
  let searchFrom = 0;
  let lineNumber = 0;
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = pending.indexOf('\n', searchFrom);
    while (newline !== -1) {
      lineNumber += 1;
      const text = trimCarriageReturn(pending.slice(start, newline));
      if (text.trim().length > 0) yield { lineNumber, text };
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
    searchFrom = pending.length;
  }
  pending += decoder.decode();
  if (pending.trim().length > 0) yield { lineNumber: lineNumber + 1, text: trimCarriageReturn(pending) };
}

function trimCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** Parses and checks one line; anything that is not an output line is an error naming the file and line. */
export function parseBatchOutputLine(line: NumberedLine, fileId: string): BatchOutputLine {
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch {
    throw new BatchOutputError({ fileId, lineNumber: line.lineNumber, reason: `not JSON: ${preview(line.text)}` });
  }
  const parsed = outputLineSchema.safeParse(value);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'}: ${issue.message}`);
    throw new BatchOutputError({ fileId, lineNumber: line.lineNumber, reason: reason.join('; ') });
  }
  if (parsed.data.response === null && parsed.data.error === null) {
    throw new BatchOutputError({
      fileId,
      lineNumber: line.lineNumber,
      reason: `custom_id "${parsed.data.custom_id}" has neither a response nor an error`,
    });
  }
  return parsed.data;
}

/** The code of a line that could not be read; its request may be tried again (classify-outcome.ts). */
export const malformedLineCode = 'malformed_output_line';

/**
 * Reads every line of a file's content. With `malformed: 'as_error'` a line that cannot be read affects only its own
 * request: it becomes an error line for the custom_id it names (when one can be made out), and the rest of the file
 * is read on; the default throws a BatchOutputError for the first such line.
 */
export async function* parseBatchOutput(
  chunks: AsyncIterable<Uint8Array | string>,
  fileId: string,
  options: { malformed?: 'throw' | 'as_error' } = {},
): AsyncGenerator<BatchOutputLine> {
  try {
    for await (const line of readLines(chunks)) {
      try {
        yield parseBatchOutputLine(line, fileId);
      } catch (error) {
        if (options.malformed !== 'as_error' || !(error instanceof BatchOutputError)) throw error;
        const customId = /"custom_id"\s*:\s*"([^"\\]+)"/.exec(line.text)?.[1];
        // A line whose custom_id cannot be made out leaves its request without an outcome: `missing_result`.
        if (customId)
          yield { custom_id: customId, response: null, error: { code: malformedLineCode, message: error.message } };
      }
    }
  } catch (error) {
    if (error instanceof TypeError && (error as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new BatchOutputError({ fileId, lineNumber: 0, reason: 'the file is not valid UTF-8' });
    }
    throw error;
  }
}

function preview(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
}
