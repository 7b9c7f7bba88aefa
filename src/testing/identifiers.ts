import { randomBytes } from 'node:crypto';

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Ids look like OpenAI's (`file-…`, `batch_…`, `chatcmpl-…`) so that code matching on prefixes behaves the same. */
export function newIdentifier(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += alphanumeric[byte % alphanumeric.length];
  return `${prefix}${suffix}`;
}

/** OpenAI timestamps are whole Unix seconds. */
export function unixSeconds(milliseconds = Date.now()): number {
  return Math.floor(milliseconds / 1000);
}
