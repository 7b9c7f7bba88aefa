import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import { BridgeUsageError } from '../core/index.js';
import { answerThroughBatch } from './answer-through-batch.js';
import type { OfficialOpenAI } from './official-openai.js';
import type { OutcomeRoute } from './outcome-route.js';
import { failedStream, simulateStream } from './simulated-stream.js';

type LanguageModelKind = 'chat' | 'responses';

/**
 * A LanguageModelV3 that answers through the Batch API: it builds the request with the official OpenAI model,
 * waits for the batch result (from the bridge, or from this process in local mode), and parses that result with the
 * same official model.
 */
export class BatchLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  private readonly official: LanguageModelV3;

  constructor(
    readonly modelId: string,
    kind: LanguageModelKind,
    private readonly calls: OfficialOpenAI,
    private readonly baseURL: string | undefined,
    private readonly route: OutcomeRoute,
  ) {
    this.official = calls.provider[kind](modelId);
  }

  get provider(): string {
    return this.official.provider;
  }

  // Copied from the official model, or `ai` would download image URLs itself instead of passing them to OpenAI.
  get supportedUrls() {
    return this.official.supportedUrls;
  }

  doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    return answerThroughBatch({
      official: this.calls,
      baseURL: this.baseURL,
      route: this.route,
      modelId: this.modelId,
      call: (headers) => this.official.doGenerate({ ...options, headers: { ...options.headers, ...headers } }),
      abortSignal: options.abortSignal,
    });
  }

  /**
   * Local mode simulates the stream from the one batch result. A LangGraph node cannot pause inside a stream, so in
   * bridge mode (and when the mode cannot be used here) the stream fails at once with the error that says why: an
   * error thrown from doStream would reach only streamText's onError, and the node would fail with a bare
   * "No output generated"; a failing stream reaches every reader (`await result.text`, textStream, fullStream).
   */
  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    let mode;
    try {
      mode = this.route.modeNow();
    } catch (error) {
      if (error instanceof BridgeUsageError) return failedStream(error);
      throw error;
    }
    if (mode === 'bridge') return failedStream(streamInNodeError());
    return simulateStream(await this.doGenerate(options));
  }
}

function streamInNodeError(): BridgeUsageError {
  return new BridgeUsageError(
    'streamText cannot wait for a batch inside a LangGraph node: a stream cannot pause the node until the batch is done. ' +
      "Use generateText (or generateObject, or an agent's generate()) with batchOpenAI models in a node; nothing was submitted.",
  );
}
