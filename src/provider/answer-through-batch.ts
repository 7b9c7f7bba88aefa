import type { OpenAIProvider } from '@ai-sdk/openai';
import type { SharedV3ProviderMetadata } from '@ai-sdk/provider';
import type { BatchOpenAIProviderSettings } from './batch-openai-settings.js';
import { captureRequest, replayResponse } from './openai-request.js';
import { batchMetadata, outcomeError } from './outcome-error.js';
import type { OutcomeRoute } from './outcome-route.js';

/**
 * One model call through the Batch API, for language and embedding models alike: build the request with the official
 * model, wait for its batch result, and run the official model again on that result so its own parser answers.
 */
export async function answerThroughBatch<Model, Result extends { providerMetadata?: SharedV3ProviderMetadata }>(options: {
  settings: BatchOpenAIProviderSettings;
  route: OutcomeRoute;
  modelId: string;
  pick: (provider: OpenAIProvider) => Model;
  call: (model: Model) => PromiseLike<Result>;
  abortSignal?: AbortSignal;
}): Promise<Result> {
  const { settings, route, pick, call } = options;
  // Before the first await: in bridge mode this takes the call's turn among the parallel calls of its node.
  const ticket = route.start();
  let request;
  try {
    request = await captureRequest(settings, pick, call);
  } catch (error) {
    // A call that never reaches its wait must not hold up the calls after it.
    ticket.turn?.release();
    throw error;
  }
  const routed = await route.deliver(ticket, request, {
    description: `POST ${request.url} ${options.modelId}`,
    abortSignal: options.abortSignal,
  });
  const { delivered } = routed;
  if (delivered.outcome.type === 'error') throw outcomeError(delivered, request, settings.baseURL);
  const result = await replayResponse(settings, pick, call, delivered.outcome.body);
  return { ...result, providerMetadata: { ...result.providerMetadata, batchBridge: batchMetadata(routed) } };
}
