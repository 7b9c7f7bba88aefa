import type { OpenAIProvider } from '@ai-sdk/openai';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import { BridgeUsageError, isInLangGraphServerRun, takeWaitTurn, waitForOutcome } from '../bridge/index.js';
import type { BatchOpenAIProviderSettings, ResolvedBridgeTarget } from './batch-openai-settings.js';
import { captureRequest, replayResponse } from './openai-request.js';
import { batchMetadata, outcomeError } from './outcome-error.js';

type LanguageModelKind = 'chat' | 'responses';

/**
 * A LanguageModelV3 that answers through the Batch API: it builds the request with the official OpenAI model,
 * waits for the bridge to deliver the batch result, and parses that result with the same official model.
 */
export class BatchLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  private readonly official: LanguageModelV3;

  constructor(
    readonly modelId: string,
    private readonly kind: LanguageModelKind,
    private readonly settings: BatchOpenAIProviderSettings,
    private readonly target: ResolvedBridgeTarget,
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

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    if (!isInLangGraphServerRun()) throw notInServerRun();
    // Taken before the first await, so that parallel calls in one node wait in the order they were made.
    const turn = takeWaitTurn();
    const request = await captureRequest(this.settings, this.pick, (model) => model.doGenerate(options));
    const delivered = await waitForOutcome(request, {
      bridge: this.target.bridge,
      apiUrl: this.target.apiUrl,
      apiKey: this.target.apiKey,
      description: `POST ${request.url} ${this.modelId}`,
      turn,
    });
    if (delivered.outcome.type === 'error') throw outcomeError(delivered, request, this.settings.baseURL);
    const result = await replayResponse(this.settings, this.pick, (model) => model.doGenerate(options), delivered.outcome.body);
    return { ...result, providerMetadata: { ...result.providerMetadata, batchBridge: batchMetadata(delivered) } };
  }

  async doStream(_options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    if (isInLangGraphServerRun()) {
      throw new BridgeUsageError(
        'streamText cannot wait for a batch inside a LangGraph node: a stream cannot pause the node until the batch is done. ' +
          'Use generateText (or generateObject) with batchOpenAI models; nothing was submitted.',
      );
    }
    throw notInServerRun();
  }
}

export function notInServerRun(): BridgeUsageError {
  return new BridgeUsageError(
    'batchOpenAI models answer through the Batch API by pausing a LangGraph thread, so they work inside a node of a graph running on a ' +
      'LangGraph server (langgraphjs dev or the LangGraph Platform) with the bridge graph deployed. This call was made outside such a run; ' +
      'use openai(...) from @ai-sdk/openai there.',
  );
}
