import type { BatchBackend, BatchPoll } from '../types.js';

export type SimpleSubmit<Payload> = (items: Payload[]) => Promise<string> | string;
export type SimplePoll = (
  batchId: string,
) => Promise<unknown[] | Error | null | undefined> | unknown[] | Error | null | undefined;

/**
 * Adapts the simplest batch API, two functions (submit items → batch id; poll → null while running, the results in
 * submission order, or an Error), to the engine's backend: one batch for whatever is ready, results matched by position.
 */
export function simpleBackend<Payload>(submit: SimpleSubmit<Payload>, poll: SimplePoll): BatchBackend<Payload> {
  return {
    plan(requests, options = {}) {
      const size = options.maxRequestsPerBatch ?? Infinity;
      const groups = [];
      for (let start = 0; start < requests.length; start += size) {
        groups.push({ label: 'batch', requests: requests.slice(start, start + size) });
      }
      return groups;
    },
    async submit(group) {
      return { batchId: await submit(group.requests.map((request) => request.payload)), submittedAt: Date.now() };
    },
    async poll({ batchId, customIds }): Promise<BatchPoll> {
      const result = await poll(batchId);
      if (result === null || result === undefined) return { status: 'in_progress', terminal: false };
      if (result instanceof Error) {
        return {
          status: 'failed',
          terminal: true,
          outcomes: customIds.map((customId) => ({
            customId,
            type: 'error',
            code: 'batch_failed',
            message: result.message,
          })),
        };
      }
      return {
        status: 'completed',
        terminal: true,
        outcomes: customIds.map((customId, index) =>
          index < result.length
            ? { customId, type: 'success', statusCode: 200, body: result[index] }
            : {
                customId,
                type: 'error',
                code: 'missing_result',
                message: `poll returned ${result.length} results for ${customIds.length} items`,
              },
        ),
      };
    },
  };
}
