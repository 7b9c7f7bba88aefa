import { z } from 'zod';
import type { Backend, BatchRequest } from '../backends/types.js';
import type { BridgeBackend, BridgeBatchGroup, BridgeRequest } from './bridge-backend.js';

/** What a batch-bridge OpenAI model submits: the endpoint and the body the official provider built. */
const openAIPayloadSchema = z.object({
  url: z.string().regex(/^\/v1\//, 'url must be an OpenAI endpoint path such as /v1/chat/completions'),
  body: z.record(z.string(), z.unknown()),
});
export type OpenAIPayload = z.infer<typeof openAIPayloadSchema>;

function toBatchRequest(request: BridgeRequest): BatchRequest {
  const parsed = openAIPayloadSchema.safeParse(request.payload);
  if (!parsed.success) {
    throw new Error(`Request ${request.customId} is not an OpenAI request: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  return { customId: request.customId, url: parsed.data.url, body: parsed.data.body };
}

/** Lets the bridge drive the OpenAI Files + Batches backend. */
export function openAIBridgeBackend(backend: Backend): BridgeBackend<OpenAIPayload> {
  const plan = (requests: BridgeRequest[]) => backend.plan(requests.map(toBatchRequest));
  return {
    plan(requests): Array<BridgeBatchGroup<OpenAIPayload>> {
      return plan(requests).map((group) => ({
        label: `${group.url} ${group.model}`,
        requests: group.requests.map((request) => ({ customId: request.customId, payload: { url: request.url, body: request.body } })),
      }));
    },
    async submit(group, { metadata }) {
      // The bridge may have cut a planned group smaller; planned again, it is still one group.
      const [batchGroup, ...rest] = plan(group.requests);
      if (!batchGroup || rest.length > 0) throw new Error(`A bridge group must plan to exactly one batch; got ${rest.length + 1}.`);
      const submitted = await backend.submit(batchGroup, { metadata });
      return { batchId: submitted.batchId };
    },
    async poll(batch) {
      const poll = await backend.poll(batch);
      return { status: poll.status, terminal: poll.outcomes !== undefined, requestCounts: poll.requestCounts, outcomes: poll.outcomes };
    },
    cancel: (batchId) => backend.cancel(batchId),
  };
}
