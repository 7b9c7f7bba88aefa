import type { FetchFunction } from '@ai-sdk/provider-utils';
import { z } from 'zod';
import { localOptionsSchema } from '../local/index.js';

export const batchOpenAISettingsSchema = z.object({
  /** The OpenAI API base URL the request is built for; its path after `/v1` becomes the batch line's `url`. */
  baseURL: z.string().url().optional(),
  /**
   * Bridge mode: accepted for drop-in compatibility with `createOpenAI`; batches are submitted by the bridge with the
   * credentials of the server it runs on (OPENAI_API_KEY there), and a key given here never leaves this process.
   * Local mode: the key this process submits its batches with (OPENAI_API_KEY when absent). Never stored.
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
  /**
   * Who submits the batches. `bridge`: the bridge graph, for calls inside a LangGraph server run. `local`: this
   * process, with a durable store (any script, or a graph invoked in-process). `auto` (default): `bridge` inside a
   * LangGraph server run, `local` everywhere else.
   */
  mode: z.enum(['auto', 'bridge', 'local']).optional(),
  /**
   * Local mode: the store folder (`directory`, default `.batch-bridge`), `cache`, `fresh`, the flush policy
   * (`maxRequests`, `maxBytes`, `maxWaitMs`, `shouldSubmit`), `pollIntervalMs`, `maxAttempts`, `backoffMs`, `log`.
   * Batches are submitted with this provider's apiKey, baseURL, organization, project and headers, or OPENAI_API_KEY
   * and OPENAI_BASE_URL.
   */
  local: localOptionsSchema.optional(),
});

export type BatchOpenAIProviderSettings = z.input<typeof batchOpenAISettingsSchema>;
export type ParsedBatchOpenAISettings = z.output<typeof batchOpenAISettingsSchema>;

export interface ResolvedBridgeTarget {
  bridge: string;
  apiUrl?: string;
  apiKey?: string;
}

export function resolveBridgeTarget(bridge: BatchOpenAIProviderSettings['bridge']): ResolvedBridgeTarget {
  if (typeof bridge === 'string') return { bridge };
  return { bridge: bridge?.assistantId ?? 'batch_bridge', apiUrl: bridge?.apiUrl, apiKey: bridge?.apiKey };
}
