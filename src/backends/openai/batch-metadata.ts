import { BatchMetadataError } from './errors.js';

/** OpenAI's limits on batch metadata (see the `Metadata` schema of the Batches API). */
export const metadataLimits = { maxPairs: 16, maxKeyLength: 64, maxValueLength: 512 } as const;

/** Every batch BatchBridge creates carries this pair, so its batches can be told apart in the dashboard and lists. */
export const batchBridgeMetadata = { created_by: 'batch-bridge' } as const;

/**
 * Whether OpenAI counts code points or UTF-16 units is not documented; UTF-16 units (`length`) are never fewer, so
 * counting them can only refuse early what OpenAI might refuse at create time, after the upload.
 */
function characterCount(text: string): number {
  return text.length;
}

/** Checks one metadata object against OpenAI's limits; `source` names where it came from in the error. */
export function validateBatchMetadata(metadata: Record<string, unknown>, source: string): Record<string, string> {
  const entries = Object.entries(metadata);
  if (entries.length > metadataLimits.maxPairs) {
    throw new BatchMetadataError(
      `${source} has ${entries.length} pairs; OpenAI allows at most ${metadataLimits.maxPairs}.`,
    );
  }
  for (const [key, value] of entries) {
    if (key.length === 0) throw new BatchMetadataError(`${source} has an empty key.`);
    if (characterCount(key) > metadataLimits.maxKeyLength) {
      throw new BatchMetadataError(
        `${source} key "${key.slice(0, 20)}…" is longer than ${metadataLimits.maxKeyLength} characters.`,
      );
    }
    if (typeof value !== 'string') {
      throw new BatchMetadataError(`${source} value of "${key}" must be a string, got ${typeof value}.`);
    }
    if (characterCount(value) > metadataLimits.maxValueLength) {
      throw new BatchMetadataError(
        `${source} value of "${key}" is longer than ${metadataLimits.maxValueLength} characters.`,
      );
    }
  }
  return metadata as Record<string, string>;
}

/**
 * The metadata sent with a batch: BatchBridge's marker, then the backend's configured metadata, then the caller's.
 * The marker is reserved: overriding it would make the batch look foreign, so a conflicting value is an error.
 */
export function buildBatchMetadata(
  configured: Record<string, string> | undefined,
  caller: Record<string, string> | undefined,
): Record<string, string> {
  const merged: Record<string, string> = { ...batchBridgeMetadata };
  for (const [source, metadata] of [
    ['settings.metadata', configured],
    ['submit metadata', caller],
  ] as const) {
    if (!metadata) continue;
    validateBatchMetadata(metadata, source);
    for (const [key, value] of Object.entries(metadata)) {
      if (key in batchBridgeMetadata && value !== merged[key]) {
        throw new BatchMetadataError(`${source} may not change the reserved key "${key}".`);
      }
      merged[key] = value;
    }
  }
  return validateBatchMetadata(merged, 'The merged batch metadata');
}
