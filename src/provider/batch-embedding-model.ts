import type { OpenAIProvider } from '@ai-sdk/openai';
import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from '@ai-sdk/provider';
import { isInLangGraphServerRun, takeWaitTurn, waitForOutcome } from '../bridge/index.js';
import type { BatchOpenAIProviderSettings, ResolvedBridgeTarget } from './batch-openai-settings.js';
import { notInServerRun } from './batch-language-model.js';
import { captureRequest, replayResponse } from './openai-request.js';
import { batchMetadata, outcomeError } from './outcome-error.js';

/** An EmbeddingModelV3 answered through a /v1/embeddings batch, built and parsed by the official model. */
export class BatchEmbeddingModel implements EmbeddingModelV3 {
  readonly specificationVersion = 'v3';
  /**
   * Calls of one node wait one after the other (each pause is one interrupt, answered in order), so embedMany must not
   * run its chunks in parallel.
   */
  readonly supportsParallelCalls = false;

  constructor(
    readonly modelId: string,
    private readonly settings: BatchOpenAIProviderSettings,
    private readonly target: ResolvedBridgeTarget,
    private readonly official: EmbeddingModelV3,
  ) {}

  get provider(): string {
    return this.official.provider;
  }

  get maxEmbeddingsPerCall() {
    return this.official.maxEmbeddingsPerCall;
  }

  private pick = (provider: OpenAIProvider) => provider.embedding(this.modelId);

  async doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    if (!isInLangGraphServerRun()) throw notInServerRun();
    // Taken before the first await, so that parallel calls in one node wait in the order they were made.
    const turn = takeWaitTurn();
    const request = await captureRequest(this.settings, this.pick, (model) => model.doEmbed(options));
    const delivered = await waitForOutcome(request, {
      bridge: this.target.bridge,
      apiUrl: this.target.apiUrl,
      apiKey: this.target.apiKey,
      description: `POST ${request.url} ${this.modelId}`,
      turn,
    });
    if (delivered.outcome.type === 'error') throw outcomeError(delivered, request, this.settings.baseURL);
    const result = await replayResponse(this.settings, this.pick, (model) => model.doEmbed(options), delivered.outcome.body);
    return { ...result, providerMetadata: { ...result.providerMetadata, batchBridge: batchMetadata(delivered) } };
  }
}
