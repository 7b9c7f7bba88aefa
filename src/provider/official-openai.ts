import { randomUUID } from 'node:crypto';
import { createOpenAI, type OpenAIProvider } from '@ai-sdk/openai';
import type { OpenAIPayload } from '../backends/openai/index.js';
import type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';

const defaultBaseURL = 'https://api.openai.com/v1';

/** The official provider needs a key to build a request; this one is never sent and never stored (headers are dropped). */
const placeholderKey = 'batch-bridge-capture-only';

/** Names the call a request belongs to; read by our fetch and never sent (nothing is). */
const callHeader = 'x-batch-bridge-call';

/** Thrown from the capturing fetch so that nothing is sent; caught right where the capture started. */
class CapturedRequest {
  constructor(readonly request: OpenAIPayload) {}
}

type CallHandler = (url: string, body: string) => Promise<Response>;

/**
 * The one official OpenAI provider behind a batch-bridge provider. Its models build each request exactly as
 * `openai(...)` would (capture) and parse each batch result with their own parser (replay). Its fetch never reaches
 * the network: a header on the call says which call a request belongs to, and that call's handler answers it.
 */
export class OfficialOpenAI {
  readonly provider: OpenAIProvider;
  private readonly baseURL: string;
  private readonly handlers = new Map<string, CallHandler>();

  constructor(
    settings: Pick<BatchOpenAIProviderSettings, 'baseURL' | 'organization' | 'project' | 'headers' | 'name'>,
  ) {
    this.baseURL = (settings.baseURL ?? defaultBaseURL).replace(/\/+$/, '');
    this.provider = createOpenAI({
      baseURL: settings.baseURL,
      apiKey: placeholderKey,
      organization: settings.organization,
      project: settings.project,
      headers: settings.headers,
      name: settings.name,
      fetch: (input, init) => this.dispatch(input, init),
    });
  }

  /** Builds the request of one call with the official model, without sending it. Headers (the key) are left behind. */
  async capture(call: (headers: Record<string, string>) => PromiseLike<unknown>): Promise<OpenAIPayload> {
    try {
      await this.withHandler(call, async (url, body) => {
        throw new CapturedRequest({ url: this.endpointOf(url), body: JSON.parse(body) });
      });
    } catch (error) {
      if (error instanceof CapturedRequest) return error.request;
      throw error;
    }
    throw new Error('batch-bridge: the OpenAI provider finished without making a request; nothing to batch.');
  }

  /** Runs the official model against a stored response body, so that its own parser builds the result. */
  replay<Result>(
    call: (headers: Record<string, string>) => PromiseLike<Result>,
    responseBody: unknown,
  ): Promise<Result> {
    return this.withHandler(
      call,
      async () =>
        new Response(JSON.stringify(responseBody), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
  }

  private async withHandler<Result>(
    call: (headers: Record<string, string>) => PromiseLike<Result>,
    handler: CallHandler,
  ): Promise<Result> {
    const id = randomUUID();
    this.handlers.set(id, handler);
    try {
      return await call({ [callHeader]: id });
    } finally {
      this.handlers.delete(id);
    }
  }

  private dispatch(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): Promise<Response> {
    const id = new Headers(init?.headers).get(callHeader);
    const handler = id === null ? undefined : this.handlers.get(id);
    if (!handler)
      throw new Error('batch-bridge: the official OpenAI model made a request outside a batch-bridge call.');
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return handler(url, String(init?.body ?? 'null'));
  }

  /** `https://proxy.example/openai/v1/chat/completions` with that base URL → `/v1/chat/completions`. */
  private endpointOf(url: string): string {
    if (url.startsWith(this.baseURL)) return `/v1${url.slice(this.baseURL.length).split('?')[0]}`;
    return new URL(url).pathname;
  }
}
