import type { LineFault } from '../faults/fault-state.js';
import type { FileStore } from '../files/file-store.js';
import { newIdentifier } from '../identifiers.js';
import { errorBodyForFault, errorBodyForStatus } from '../openai-error.js';
import type { Responder, ResponderRequest } from '../types.js';
import type { BatchState, LineResult } from './batch-state.js';

function answer(
  request: ResponderRequest,
  responder: Responder,
  fault: LineFault | undefined,
): Omit<LineResult, 'customId'> {
  if (fault?.statusCode !== undefined) {
    return { statusCode: fault.statusCode, body: errorBodyForFault(fault.statusCode, fault.errorCode) };
  }
  try {
    return responder(request);
  } catch (error) {
    // A throwing custom responder is a server-side failure of that one line, as a crash would be at OpenAI.
    return { statusCode: 500, body: errorBodyForStatus(500, error instanceof Error ? error.message : String(error)) };
  }
}

/** Runs lines up to `count` (in processing order) that have not run yet; lines run once and keep their result. */
export function executeUpTo(batch: BatchState, count: number, responder: Responder): void {
  const lines = batch.validation.lines;
  while (batch.results.length < Math.min(count, batch.processingOrder.length)) {
    const index = batch.processingOrder[batch.results.length];
    const line = lines[index];
    const fault = batch.lineFaults[index];
    const { statusCode, body } = answer({ url: line.url, body: line.body } as ResponderRequest, responder, fault);
    batch.results.push({ customId: line.custom_id, statusCode, body, malformed: fault?.malformed === true });
  }
}

export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}

function resultLine(result: LineResult): string {
  const text = JSON.stringify({
    id: newIdentifier('batch_req_', 32),
    custom_id: result.customId,
    response: { status_code: result.statusCode, request_id: newIdentifier('req_', 32), body: result.body },
    error: null,
  });
  // Cut inside the response so the custom_id still shows (a reader can say which line broke) but no parser accepts it.
  return result.malformed ? text.slice(0, text.indexOf('"response"') + 20) : text;
}

const unfinishedMessages = {
  batch_expired: 'This request could not be executed before the completion window expired.',
  batch_cancelled: 'This request was not executed because the batch was cancelled.',
};

function unfinishedLine(customId: string, code: keyof typeof unfinishedMessages): string {
  return JSON.stringify({
    id: newIdentifier('batch_req_', 32),
    custom_id: customId,
    response: null,
    error: { code, message: unfinishedMessages[code] },
  });
}

/**
 * Writes the output file (2xx lines) and the error file (other lines, then lines never run) of a finished batch.
 * A file with no lines is not created and its id stays null, as OpenAI does.
 */
export function writeResultFiles(
  batch: BatchState,
  files: FileStore,
  unfinishedCode: keyof typeof unfinishedMessages | null,
): void {
  const done = batch.results.slice(0, batch.doneCount);
  const outputLines = done.filter((result) => isSuccess(result.statusCode)).map(resultLine);
  const errorLines = done.filter((result) => !isSuccess(result.statusCode)).map(resultLine);
  if (unfinishedCode !== null) {
    for (const index of batch.processingOrder.slice(batch.doneCount)) {
      errorLines.push(unfinishedLine(batch.validation.lines[index].custom_id, unfinishedCode));
    }
  }
  const store = (lines: string[], kind: 'output' | 'error'): string =>
    files.add({
      purpose: 'batch_output',
      filename: `${batch.id}_${kind}.jsonl`,
      content: Buffer.from(lines.map((line) => `${line}\n`).join('')),
      expiresAfterSeconds: batch.outputExpiresAfterSeconds,
      ttlMs: batch.faults.outputFileTtlMs,
    }).id;
  if (outputLines.length > 0) {
    // The missing-output fault names a file that was never stored, so its content (and metadata) 404.
    batch.outputFileId = batch.faults.outputFileMissing ? newIdentifier('file-', 22) : store(outputLines, 'output');
  }
  if (errorLines.length > 0) batch.errorFileId = store(errorLines, 'error');
}
