import type { FileStore } from '../files/file-store.js';
import { newIdentifier } from '../identifiers.js';
import { errorBodyForStatus } from '../openai-error.js';
import type { Responder, ResponderRequest } from '../types.js';
import type { BatchState, LineResult } from './batch-state.js';

function execute(
  request: ResponderRequest,
  customId: string,
  responder: Responder,
  injectedStatus?: number,
): LineResult {
  if (injectedStatus !== undefined) {
    return {
      customId,
      statusCode: injectedStatus,
      body: errorBodyForStatus(injectedStatus, 'injected by a fault marker'),
    };
  }
  try {
    const { statusCode, body } = responder(request);
    return { customId, statusCode, body };
  } catch (error) {
    // A throwing custom responder is a server-side failure of that one line, as a crash would be at OpenAI.
    return {
      customId,
      statusCode: 500,
      body: errorBodyForStatus(500, error instanceof Error ? error.message : String(error)),
    };
  }
}

/** Runs lines up to `count` (in processing order) that have not run yet; lines run once and keep their result. */
export function executeUpTo(batch: BatchState, count: number, responder: Responder): void {
  const lines = batch.validation.lines;
  while (batch.results.length < Math.min(count, batch.processingOrder.length)) {
    const index = batch.processingOrder[batch.results.length];
    const line = lines[index];
    const request = { url: line.url, body: line.body } as ResponderRequest;
    batch.results.push(execute(request, line.custom_id, responder, batch.lineStatuses[index]));
  }
}

export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}

function resultLine(result: LineResult): string {
  return JSON.stringify({
    id: newIdentifier('batch_req_', 32),
    custom_id: result.customId,
    response: { status_code: result.statusCode, request_id: newIdentifier('req_', 32), body: result.body },
    error: null,
  });
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
    }).id;
  if (outputLines.length > 0) {
    // The missing-output fault names a file that was never stored, so its content (and metadata) 404.
    batch.outputFileId = batch.faults.outputFileMissing ? newIdentifier('file-', 22) : store(outputLines, 'output');
  }
  if (errorLines.length > 0) batch.errorFileId = store(errorLines, 'error');
}
