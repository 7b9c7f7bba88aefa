import { createOpenAI, type OpenAIProvider } from '@ai-sdk/openai';
import type { OpenAIPayload } from '../backends/openai/index.js';
import type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';

export type OpenAIModelKind = 'chat' | 'responses' | 'embedding';

const defaultBaseURL = 'https://api.openai.com/v1';

/** Thrown from the capturing fetch so that nothing is sent; caught right where the capture started. */
class CapturedRequest {
  constructor(readonly request: OpenAIPayload) {}
}

/** The official provider needs a key to build a request; this one is never sent and never stored (headers are dropped). */
const placeholderKey = 'batch-bridge-capture-only';

function officialProvider(settings: BatchOpenAIProviderSettings, fetch: typeof globalThis.fetch): OpenAIProvider {
  return createOpenAI({
    baseURL: settings.baseURL,
    apiKey: placeholderKey,
    organization: settings.organization,
    project: settings.project,
    headers: settings.headers,
    name: settings.name,
    fetch,
  });
}

/** Builds the request with the official provider, exactly as `openai(...)` would send it, without sending it. */
export async function captureRequest<Model>(
  settings: BatchOpenAIProviderSettings,
  pick: (provider: OpenAIProvider) => Model,
  call: (model: Model) => PromiseLike<unknown>,
): Promise<OpenAIPayload> {
  const baseURL = (settings.baseURL ?? defaultBaseURL).replace(/\/+$/, '');
  const capture: typeof globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = JSON.parse(String(init?.body ?? 'null'));
    // Headers are left behind on purpose: they hold the API key.
    throw new CapturedRequest({ url: endpointOf(url, baseURL), body });
  };
  try {
    await call(pick(officialProvider(settings, capture)));
  } catch (error) {
    if (error instanceof CapturedRequest) return error.request;
    throw error;
  }
  throw new Error('batch-bridge: the OpenAI provider finished without making a request; nothing to batch.');
}

/** Runs the official provider against a stored response body, so that its own parser builds the result. */
export async function replayResponse<Model, Result>(
  settings: BatchOpenAIProviderSettings,
  pick: (provider: OpenAIProvider) => Model,
  call: (model: Model) => PromiseLike<Result>,
  responseBody: unknown,
): Promise<Result> {
  const replay: typeof globalThis.fetch = async () =>
    new Response(JSON.stringify(responseBody), { status: 200, headers: { 'content-type': 'application/json' } });
  return call(pick(officialProvider(settings, replay)));
}

/** `https://proxy.example/openai/v1/chat/completions` with that base URL → `/v1/chat/completions`. */
function endpointOf(url: string, baseURL: string): string {
  if (url.startsWith(baseURL)) return `/v1${url.slice(baseURL.length).split('?')[0]}`;
  return new URL(url).pathname;
}
