import type { FetchFunction } from '@ai-sdk/provider-utils';
import { z } from 'zod';

export const batchOpenAISettingsSchema = z.object({
  /** The OpenAI API base URL the request is built for; its path after `/v1` becomes the batch line's `url`. */
  baseURL: z.string().url().optional(),
  /**
   * Accepted for drop-in compatibility with `createOpenAI`. Batches are submitted by the bridge with the
   * credentials of the server it runs on (OPENAI_API_KEY there); a key given here never leaves this process.
   */
  apiKey: z.string().optional(),
  organization: z.string().optional(),
  project: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Provider name, as in `createOpenAI`; it prefixes the model's `provider` (e.g. `openai.chat`). */
  name: z.string().optional(),
  fetch: z.custom<FetchFunction>((value) => value === undefined || typeof value === 'function').optional(),
  /** The bridge: its graph id in langgraph.json (default `batch_bridge`), or where to reach it. */
  bridge: z
    .union([
      z.string().min(1),
      z.object({
        assistantId: z.string().min(1).optional(),
        /** The LangGraph API the bridge runs on; the server the agent runs in when absent. */
        apiUrl: z.string().url().optional(),
        apiKey: z.string().optional(),
      }),
    ])
    .optional(),
});

export type BatchOpenAIProviderSettings = z.input<typeof batchOpenAISettingsSchema>;

export interface ResolvedBridgeTarget {
  bridge: string;
  apiUrl?: string;
  apiKey?: string;
}

export function resolveBridgeTarget(bridge: BatchOpenAIProviderSettings['bridge']): ResolvedBridgeTarget {
  if (typeof bridge === 'string') return { bridge };
  return { bridge: bridge?.assistantId ?? 'batch_bridge', apiUrl: bridge?.apiUrl, apiKey: bridge?.apiKey };
}
