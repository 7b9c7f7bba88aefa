/** The tokens one answer was billed for, as OpenAI reports them: cached input tokens are part of the input tokens. */
export interface TokenUsage {
  inputTokens: number;
  /** Input tokens served from the prompt cache (billed at the cached-input price). */
  cachedInputTokens: number;
  outputTokens: number;
}

export const noTokenUsage = (): TokenUsage => ({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 });

export function addTokenUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
  };
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * The usage of an OpenAI response body: a chat completion (`prompt_tokens`, `completion_tokens`), a Responses object
 * (`input_tokens`, `output_tokens`) or an embeddings list (`prompt_tokens` only). Undefined for a body that reports
 * none (another API's answer, a custom backend's).
 */
export function usageOfResponse(body: unknown): TokenUsage | undefined {
  const usage = (body as { usage?: Record<string, unknown> } | null | undefined)?.usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const details = (key: string) => (usage[key] ?? {}) as Record<string, unknown>;
  const responsesInput = count(usage.input_tokens);
  if (responsesInput !== undefined) {
    return {
      inputTokens: responsesInput,
      cachedInputTokens: count(details('input_tokens_details').cached_tokens) ?? 0,
      outputTokens: count(usage.output_tokens) ?? 0,
    };
  }
  const chatInput = count(usage.prompt_tokens);
  if (chatInput === undefined) return undefined;
  return {
    inputTokens: chatInput,
    cachedInputTokens: count(details('prompt_tokens_details').cached_tokens) ?? 0,
    outputTokens: count(usage.completion_tokens) ?? 0,
  };
}

/** The model a response body names (OpenAI answers with the snapshot, e.g. `gpt-4o-mini-2024-07-18`). */
export function modelOfResponse(body: unknown): string | undefined {
  const model = (body as { model?: unknown } | null | undefined)?.model;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}
