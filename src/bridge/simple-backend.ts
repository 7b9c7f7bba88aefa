import type { BridgeBackend, BridgeBatchPoll } from './bridge-backend.js';

export type SimpleSubmit<Payload> = (items: Payload[]) => Promise<string> | string;
export type SimplePoll = (batchId: string) => Promise<unknown[] | Error | null | undefined> | unknown[] | Error | null | undefined;

/**
 * Adapts the seed's two functions (submit items → batch id; poll → null, results in submission order, or an Error)
 * to the bridge's backend: one batch for whatever is queued, results matched back by position.
 */
export function simpleBackend<Payload>(submit: SimpleSubmit<Payload>, poll: SimplePoll): BridgeBackend<Payload> {
  return {
    plan: (requests) => (requests.length === 0 ? [] : [{ label: 'batch', requests }]),
    async submit(group) {
      return { batchId: await submit(group.requests.map((request) => request.payload)) };
    },
    async poll({ batchId, customIds }): Promise<BridgeBatchPoll> {
      const result = await poll(batchId);
      if (result === null || result === undefined) return { status: 'in_progress', terminal: false };
      if (result instanceof Error) {
        return {
          status: 'failed',
          terminal: true,
          outcomes: customIds.map((customId) => ({ customId, type: 'error', code: 'batch_failed', message: result.message })),
        };
      }
      return {
        status: 'completed',
        terminal: true,
        outcomes: customIds.map((customId, index) =>
          index < result.length
            ? { customId, type: 'success', statusCode: 200, body: result[index] }
            : { customId, type: 'error', code: 'missing_result', message: `poll returned ${result.length} results for ${customIds.length} items` },
        ),
      };
    },
  };
}
