import type { RequestOutcome } from '../types.js';
import type { BatchStatus } from './openai-types.js';
import { classifyOutputLine, missingOutcome } from './classify-outcome.js';
import type { BatchOutputLine } from './parse-batch-output.js';

/** What one output or error file says about the submitted requests. */
export interface FileOutcomes {
  outcomes: Map<string, RequestOutcome>;
  /** Lines whose custom_id was not submitted in this batch; they are ignored. */
  unknownCustomIds: number;
  /** Lines repeating a custom_id already seen. */
  duplicateLines: number;
}

export interface CollectedOutcomes {
  /** Exactly one outcome per submitted custom id, in submission order. */
  outcomes: RequestOutcome[];
  unknownCustomIds: number;
  duplicateLines: number;
}

/**
 * Classifies the lines of one file, keyed by custom_id: line order means nothing (OpenAI shuffles it), and lines
 * for ids we did not submit are counted and dropped rather than trusted.
 */
export async function collectFileOutcomes(
  lines: AsyncIterable<BatchOutputLine> | Iterable<BatchOutputLine>,
  submitted: ReadonlySet<string>,
): Promise<FileOutcomes> {
  const result: FileOutcomes = { outcomes: new Map(), unknownCustomIds: 0, duplicateLines: 0 };
  for await (const line of lines) {
    if (!submitted.has(line.custom_id)) {
      result.unknownCustomIds += 1;
      continue;
    }
    const outcome = classifyOutputLine(line);
    const earlier = result.outcomes.get(line.custom_id);
    if (earlier) result.duplicateLines += 1;
    result.outcomes.set(line.custom_id, preferred(earlier, outcome));
  }
  return result;
}

/**
 * Joins the output and error files of a terminal batch into one outcome per submitted request. A request in neither
 * file gets the retryable outcome that fits the batch status (`batch_expired`, `batch_cancelled`, `missing_result`).
 */
export function mergeOutcomes(
  customIds: readonly string[],
  status: BatchStatus,
  files: readonly FileOutcomes[],
): CollectedOutcomes {
  let unknownCustomIds = 0;
  let duplicateLines = 0;
  const merged = new Map<string, RequestOutcome>();
  for (const file of files) {
    unknownCustomIds += file.unknownCustomIds;
    duplicateLines += file.duplicateLines;
    for (const [customId, outcome] of file.outcomes) {
      const earlier = merged.get(customId);
      if (earlier) duplicateLines += 1;
      merged.set(customId, preferred(earlier, outcome));
    }
  }
  const outcomes = uniqueInOrder(customIds).map((customId) => merged.get(customId) ?? missingOutcome(customId, status));
  return { outcomes, unknownCustomIds, duplicateLines };
}

/** Should a request ever have two lines, a success wins (it was done and billed); otherwise the first line stands. */
function preferred(earlier: RequestOutcome | undefined, later: RequestOutcome): RequestOutcome {
  if (!earlier) return later;
  if (earlier.type !== 'success' && later.type === 'success') return later;
  return earlier;
}

function uniqueInOrder(customIds: readonly string[]): string[] {
  return [...new Set(customIds)];
}
