import { v5 as uuidv5 } from 'uuid';

const bridgeNamespace = uuidv5('https://github.com/batch-bridge/batch-bridge', uuidv5.URL);

/** Every bridge has one fixed thread, derived from its graph id, so that every process finds the same one. */
export function bridgeThreadId(bridgeGraphId: string): string {
  return uuidv5(`bridge:${bridgeGraphId}`, bridgeNamespace);
}
