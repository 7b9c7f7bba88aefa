import type { JsonObject } from '../types.js';
import { z } from 'zod';
import type { BatchLimits, RecordedBatch } from '../types.js';

export type BatchInputLine = RecordedBatch['lines'][number];

/** An entry of a failed batch's `errors.data`. */
export interface BatchErrorEntry {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface InputValidationResult {
  /** Lines that parsed as JSON objects with a string custom_id: what was submitted, valid or not. */
  submittedLines: BatchInputLine[];
  /** The lines the batch runs when there are no errors. */
  lines: BatchInputLine[];
  /** The 1-based line number in the uploaded file of each of `lines`, so that errors can name it. */
  lineNumbers: number[];
  model: string | null;
  errors: BatchErrorEntry[];
}

/** OpenAI lists problems line by line; a cap keeps a broken 50,000-line file from making every retrieve huge. */
const maximumReportedErrors = 100;

const lineSchema = z.object({
  custom_id: z.string().min(1),
  method: z.string(),
  url: z.string(),
  body: z.record(z.string(), z.any()),
});

function error(code: string, message: string, line: number | null, param: string | null = null): BatchErrorEntry {
  return { code, message, param, line };
}

function splitLines(content: Buffer): Array<{ text: string; number: number }> {
  return content
    .toString('utf8')
    .split('\n')
    .map((text, index) => ({ text: text.trim(), number: index + 1 }))
    .filter((line) => line.text !== '');
}

function embeddingInputCount(body: JsonObject): number {
  const input = body.input;
  if (!Array.isArray(input)) return input === undefined ? 0 : 1;
  // An array of token ids is one input; an array of strings or of token arrays is many.
  return input.length > 0 && typeof input[0] === 'number' ? 1 : input.length;
}

function parseLine(text: string): { value?: Record<string, unknown> } {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { value: value as Record<string, unknown> }
      : {};
  } catch {
    return {};
  }
}

function checkLine(
  value: Record<string, unknown>,
  number: number,
  endpoint: string,
  seen: { customIds: Set<string>; model: string | null },
): BatchErrorEntry | BatchInputLine {
  const parsed = lineSchema.safeParse(value);
  if (!parsed.success) {
    const param = String(parsed.error.issues[0].path[0] ?? 'line');
    return error('missing_required_parameter', `Missing or invalid required parameter: '${param}'.`, number, param);
  }
  const line = parsed.data;
  if (seen.customIds.has(line.custom_id)) {
    return error(
      'duplicate_custom_id',
      'The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.',
      number,
      'custom_id',
    );
  }
  seen.customIds.add(line.custom_id);
  if (line.method !== 'POST')
    return error('invalid_method', `Only POST is supported, got '${line.method}'.`, number, 'method');
  if (line.url !== endpoint) {
    return error(
      'invalid_url',
      `The url '${line.url}' does not match the batch endpoint '${endpoint}'.`,
      number,
      'url',
    );
  }
  if (typeof line.body.model !== 'string' || line.body.model === '') {
    return error('missing_required_parameter', "Missing required parameter: 'body.model'.", number, 'body.model');
  }
  seen.model ??= line.body.model;
  if (line.body.model !== seen.model) {
    return error(
      'mismatched_model',
      `The model '${line.body.model}' differs from the model '${seen.model}' of earlier lines; a batch file may use one model only.`,
      number,
      'body.model',
    );
  }
  return line;
}

/** Checks an input file the way the Batch API does while the batch is `validating`. */
export function validateBatchInput(content: Buffer, endpoint: string, limits: BatchLimits): InputValidationResult {
  const physicalLines = splitLines(content);
  const submittedLines: BatchInputLine[] = [];
  const lines: BatchInputLine[] = [];
  const lineNumbers: number[] = [];
  const errors: BatchErrorEntry[] = [];
  const seen = { customIds: new Set<string>(), model: null as string | null };
  let embeddingInputs = 0;

  for (const { text, number } of physicalLines) {
    const { value } = parseLine(text);
    if (value === undefined) {
      errors.push(error('invalid_json_line', 'This line is not parseable as valid JSON.', number));
      continue;
    }
    if (typeof value.custom_id === 'string') submittedLines.push(toSubmittedLine(value));
    const checked = checkLine(value, number, endpoint, seen);
    if ('code' in checked) errors.push(checked);
    else {
      lines.push(checked);
      lineNumbers.push(number);
      embeddingInputs += endpoint === '/v1/embeddings' ? embeddingInputCount(checked.body) : 0;
    }
  }

  const fileErrors: BatchErrorEntry[] = [];
  if (content.byteLength > limits.maxBytesPerFile) {
    fileErrors.push(
      error(
        'file_too_large',
        `The input file is ${content.byteLength} bytes; the limit is ${limits.maxBytesPerFile} bytes.`,
        null,
      ),
    );
  }
  if (physicalLines.length === 0) fileErrors.push(error('empty_file', 'The batch input file is empty.', null));
  if (physicalLines.length > limits.maxRequestsPerBatch) {
    fileErrors.push(
      error(
        'too_many_requests_in_file',
        `The input file has ${physicalLines.length} requests; the limit is ${limits.maxRequestsPerBatch}.`,
        null,
      ),
    );
  }
  if (embeddingInputs > limits.maxEmbeddingInputsPerBatch) {
    fileErrors.push(
      error(
        'too_many_embedding_inputs',
        `The batch has ${embeddingInputs} embedding inputs; the limit is ${limits.maxEmbeddingInputsPerBatch}.`,
        null,
      ),
    );
  }
  return {
    submittedLines,
    lines,
    lineNumbers,
    model: seen.model,
    errors: [...fileErrors, ...errors].slice(0, maximumReportedErrors),
  };
}

function toSubmittedLine(value: Record<string, unknown>): BatchInputLine {
  const body = value.body !== null && typeof value.body === 'object' ? (value.body as JsonObject) : {};
  return {
    custom_id: value.custom_id as string,
    method: String(value.method ?? ''),
    url: String(value.url ?? ''),
    body,
  };
}
