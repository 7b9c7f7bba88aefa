import type { EmbeddingModelV3, LanguageModelV3, ProviderV3 } from '@ai-sdk/provider';
import { NoSuchModelError } from '@ai-sdk/provider';
import { BatchEmbeddingModel } from './batch-embedding-model.js';
import { BatchLanguageModel } from './batch-language-model.js';
import {
  batchOpenAISettingsSchema,
  resolveBridgeTarget,
  type BatchOpenAIProviderSettings,
} from './batch-openai-settings.js';
import { OfficialOpenAI } from './official-openai.js';
import { OutcomeRoute } from './outcome-route.js';

export interface BatchOpenAIProvider extends ProviderV3 {
  /** A Responses API model, as `openai(modelId)`. */
  (modelId: string): LanguageModelV3;
  languageModel(modelId: string): LanguageModelV3;
  chat(modelId: string): LanguageModelV3;
  responses(modelId: string): LanguageModelV3;
  embedding(modelId: string): EmbeddingModelV3;
  embeddingModel(modelId: string): EmbeddingModelV3;
  textEmbeddingModel(modelId: string): EmbeddingModelV3;
}

/**
 * Creates a provider whose models are the official OpenAI models answered through the Batch API. Use it where you
 * would use `createOpenAI(settings)`; the same settings apply, plus `bridge`, `mode` and `local`. Inside a LangGraph
 * server run the calls wait for the bridge graph; anywhere else (a script, a graph invoked in-process) this process
 * batches them itself, with a durable store in `.batch-bridge/` (see `local`).
 */
export function createBatchOpenAI(settings: BatchOpenAIProviderSettings = {}): BatchOpenAIProvider {
  const parsed = batchOpenAISettingsSchema.parse(settings);
  const route = new OutcomeRoute(parsed, resolveBridgeTarget(parsed.bridge));
  // One official provider builds, describes and parses for every model of this provider; it never sends.
  const official = new OfficialOpenAI(parsed);
  const { baseURL } = parsed;
  const chat = (modelId: string) => new BatchLanguageModel(modelId, 'chat', official, baseURL, route);
  const responses = (modelId: string) => new BatchLanguageModel(modelId, 'responses', official, baseURL, route);
  const embedding = (modelId: string) => new BatchEmbeddingModel(modelId, official, baseURL, route);

  const provider = function (modelId: string) {
    if (new.target) throw new Error('batchOpenAI is a function; call it without `new`.');
    return responses(modelId);
  } as unknown as BatchOpenAIProvider;
  Object.assign(provider, {
    specificationVersion: 'v3',
    languageModel: responses,
    chat,
    responses,
    embedding,
    embeddingModel: embedding,
    textEmbeddingModel: embedding,
    imageModel: (modelId: string) => {
      throw new NoSuchModelError({
        modelId,
        modelType: 'imageModel',
        message: 'batch-bridge batches language and embedding models only.',
      });
    },
  });
  return provider;
}

/** The default provider: `batchOpenAI('gpt-4o-mini')` where you would write `openai('gpt-4o-mini')`. */
export const batchOpenAI: BatchOpenAIProvider = createBatchOpenAI();
