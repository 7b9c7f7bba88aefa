import { createHash } from 'node:crypto';
import path from 'node:path';
import { LocalBatcher } from './local-batcher.js';
import { resolveLocalOptions, type LocalOptions } from './local-options.js';
import type { OpenAIConnection } from './openai-connection.js';
import { closeBatchStores } from './store-registry.js';

/**
 * One batcher per (connection, store folder, options) in a process, however many provider objects ask: code that
 * builds a provider per call (`createBatchOpenAI(...)` inside a function) still gets its calls into one batch.
 */
const batchers = new Map<string, LocalBatcher>();
const functionIds = new WeakMap<object, number>();
let lastFunctionId = 0;

export function localBatcherFor(connection: OpenAIConnection, options: LocalOptions = {}): LocalBatcher {
  const resolved = resolveLocalOptions(options);
  const key = identityOf(connection, { ...resolved, directory: path.resolve(resolved.directory) });
  let batcher = batchers.get(key);
  if (!batcher) {
    batcher = new LocalBatcher(connection, resolved);
    batchers.set(key, batcher);
  }
  return batcher;
}

/** Stops every batcher's timers and closes the stores (for tests; calls still waiting stay unanswered). */
export async function closeLocalBatchers(): Promise<void> {
  for (const batcher of batchers.values()) batcher.close();
  batchers.clear();
  await closeBatchStores();
}

/** A key that tells settings apart without keeping the API key itself, even in memory. */
function identityOf(connection: OpenAIConnection, options: object): string {
  const text = JSON.stringify([connection, options], (_name, value: unknown) => {
    if (typeof value === 'function') return `function#${functionId(value)}`;
    return value;
  });
  return createHash('sha256').update(text).digest('hex');
}

function functionId(value: object): number {
  let id = functionIds.get(value);
  if (id === undefined) {
    id = ++lastFunctionId;
    functionIds.set(value, id);
  }
  return id;
}
