import type { BatchGroup, BatchRequest, SubmittedBatch } from '../types.js';

/**
 * What a batch-bridge OpenAI request carries: the HTTP call the official `@ai-sdk/openai` model would have made. Its
 * `url` is the endpoint path (`/v1/chat/completions`), which is also the batch line's `url`.
 */
export interface OpenAIPayload {
  url: string;
  /** The JSON body exactly as the synchronous API would have received it. */
  body: Record<string, unknown>;
}

export type OpenAIBatchRequest = BatchRequest<OpenAIPayload>;

/** One planned OpenAI batch: one endpoint, one model, within the limits. */
export interface OpenAIBatchGroup extends BatchGroup<OpenAIPayload> {
  url: string;
  model: string;
  /** Size of the JSONL input file this group becomes, in bytes. */
  bytes: number;
}

export interface OpenAISubmittedBatch extends SubmittedBatch {
  inputFileId: string;
  url: string;
  model: string;
  customIds: string[];
}

export type BatchStatus =
  'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export const terminalBatchStatuses: readonly BatchStatus[] = ['failed', 'completed', 'expired', 'cancelled'];
