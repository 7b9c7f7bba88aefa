import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from '@ai-sdk/provider';
import { answerThroughBatch } from './answer-through-batch.js';
import type { OfficialOpenAI } from './official-openai.js';
import type { OutcomeRoute } from './outcome-route.js';

/** An EmbeddingModelV3 answered through a /v1/embeddings batch, built and parsed by the official model. */
export class BatchEmbeddingModel implements EmbeddingModelV3 {
  readonly specificationVersion = 'v3';

  private readonly official: EmbeddingModelV3;

  constructor(
    readonly modelId: string,
    private readonly calls: OfficialOpenAI,
    private readonly baseURL: string | undefined,
    private readonly route: OutcomeRoute,
  ) {
    this.official = calls.provider.embedding(modelId);
  }

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

  doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    return answerThroughBatch({
      official: this.calls,
      baseURL: this.baseURL,
      route: this.route,
      modelId: this.modelId,
      call: (headers) => this.official.doEmbed({ ...options, headers: { ...options.headers, ...headers } }),
      abortSignal: options.abortSignal,
    });
  }
}
