import type { OpenAIProvider } from '@ai-sdk/openai';
import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from '@ai-sdk/provider';
import type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';
import { captureRequest, replayResponse } from './openai-request.js';
import { batchMetadata, outcomeError } from './outcome-error.js';
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

  async doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    // Before the first await: in bridge mode this takes the call's turn among the parallel calls of its node.
    const ticket = this.route.start();
    const request = await captureRequest(this.settings, this.pick, (model) => model.doEmbed(options));
    const routed = await this.route.deliver(ticket, request, {
      description: `POST ${request.url} ${this.modelId}`,
      abortSignal: options.abortSignal,
    });
    const { delivered } = routed;
    if (delivered.outcome.type === 'error') throw outcomeError(delivered, request, this.settings.baseURL);
    const result = await replayResponse(this.settings, this.pick, (model) => model.doEmbed(options), delivered.outcome.body);
    return { ...result, providerMetadata: { ...result.providerMetadata, batchBridge: batchMetadata(routed) } };
  }
}
