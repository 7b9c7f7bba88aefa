import type { OpenAIProvider } from '@ai-sdk/openai';
import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from '@ai-sdk/provider';
import type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';
import { answerThroughBatch } from './answer-through-batch.js';
import type { OutcomeRoute } from './outcome-route.js';

/** An EmbeddingModelV3 answered through a /v1/embeddings batch, built and parsed by the official model. */
export class BatchEmbeddingModel implements EmbeddingModelV3 {
  readonly specificationVersion = 'v3';

  constructor(
    readonly modelId: string,
    private readonly settings: BatchOpenAIProviderSettings,
    private readonly route: OutcomeRoute,
    private readonly official: EmbeddingModelV3,
  ) {}

  /**
   * Calls of one node wait one after the other in bridge mode (each pause is one interrupt, answered in order), so
   * embedMany must not run its chunks in parallel there; in local mode parallel chunks simply share a batch.
   */
  get supportsParallelCalls(): boolean {
    return this.route.preferredMode() === 'local';
  }

  get provider(): string {
    return this.official.provider;
  }

  get maxEmbeddingsPerCall() {
    return this.official.maxEmbeddingsPerCall;
  }

  private pick = (provider: OpenAIProvider) => provider.embedding(this.modelId);

  doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    return answerThroughBatch({
      settings: this.settings,
      route: this.route,
      modelId: this.modelId,
      pick: this.pick,
      call: (model) => model.doEmbed(options),
      abortSignal: options.abortSignal,
    });
  }
}
