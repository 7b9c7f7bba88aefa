import type { OpenAIProvider } from '@ai-sdk/openai';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import { BridgeUsageError } from '../core/index.js';
import type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';
import { answerThroughBatch } from './answer-through-batch.js';
import type { OutcomeRoute } from './outcome-route.js';
import { simulateStream } from './simulated-stream.js';

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
    private readonly kind: LanguageModelKind,
    private readonly settings: BatchOpenAIProviderSettings,
    private readonly route: OutcomeRoute,
    official: LanguageModelV3,
  ) {
    this.official = official;
  }

  get provider(): string {
    return this.official.provider;
  }

  // Copied from the official model, or `ai` would download image URLs itself instead of passing them to OpenAI.
  get supportedUrls() {
    return this.official.supportedUrls;
  }

  private pick = (provider: OpenAIProvider) => provider[this.kind](this.modelId);

  doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    return answerThroughBatch({
      settings: this.settings,
      route: this.route,
      modelId: this.modelId,
      pick: this.pick,
      call: (model) => model.doGenerate(options),
      abortSignal: options.abortSignal,
    });
  }

  /** Local mode simulates the stream from the one batch result; a LangGraph node cannot pause inside a stream. */
  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    if (this.route.modeNow() === 'bridge') {
      throw new BridgeUsageError(
        'streamText cannot wait for a batch inside a LangGraph node: a stream cannot pause the node until the batch is done. ' +
          'Use generateText (or generateObject) with batchOpenAI models; nothing was submitted.',
      );
    }
    return simulateStream(await this.doGenerate(options));
  }
}
