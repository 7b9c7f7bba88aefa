import type { SharedV3ProviderMetadata } from '@ai-sdk/provider';
import type { OfficialOpenAI } from './official-openai.js';
import { batchMetadata, outcomeError } from './outcome-error.js';
import type { OutcomeRoute } from './outcome-route.js';

/**
 * One model call through the Batch API, for language and embedding models alike: build the request with the official
 * model, wait for its batch result, and run the same official model again on that result so its own parser answers.
 */
export async function answerThroughBatch<Result extends { providerMetadata?: SharedV3ProviderMetadata }>(options: {
  official: OfficialOpenAI;
  baseURL: string | undefined;
  route: OutcomeRoute;
  modelId: string;
  /** Calls the official model once; `headers` must reach its request (they name the call, and are never sent). */
  call: (headers: Record<string, string>) => PromiseLike<Result>;
  abortSignal?: AbortSignal;
}): Promise<Result> {
  const { official, route, call } = options;
  // Before the first await: in bridge mode this takes the call's turn among the parallel calls of its node.
  const ticket = route.start();
  let request;
  try {
    request = await official.capture(call);
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
  if (delivered.outcome.type === 'error') throw outcomeError(delivered, request, options.baseURL);
  const result = await official.replay(call, delivered.outcome.body);
  return { ...result, providerMetadata: { ...result.providerMetadata, batchBridge: batchMetadata(routed) } };
}
