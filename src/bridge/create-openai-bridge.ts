import { createOpenAIBackend, type OpenAIBackendSettings, type OpenAIPayload } from '../backends/openai/index.js';
import { createBridge, type BridgeGraph, type CreateBridgeOptions } from './create-bridge.js';

export interface OpenAIBridgeOptions extends Omit<CreateBridgeOptions<OpenAIPayload>, 'backend' | 'submit' | 'poll'> {
  /**
   * How the bridge reaches OpenAI: `apiKey`, `baseURL`, `organization`, `project`, `headers`, `limits`, `retry`, ...
   * By default OPENAI_API_KEY and OPENAI_BASE_URL of the server the bridge runs on, read when it first runs.
   */
  openai?: OpenAIBackendSettings;
}

/**
 * The bridge graph for batchOpenAI models. Export it from a module and register it in langgraph.json
 * (`"batch_bridge": "./src/bridge.ts:bridge"`).
 */
export function createOpenAIBridge(options: OpenAIBridgeOptions = {}): BridgeGraph {
  const { openai, ...bridgeOptions } = options;
  return createBridge<OpenAIPayload>({
    name: 'batch_bridge',
    ...bridgeOptions,
    backend: () => createOpenAIBackend(openai ?? {}),
  });
}
