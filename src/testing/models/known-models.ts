/**
 * Model ids OpenAI answers for, so that a typo (`gpt-4o-mnii`) fails in the emulator as it would at OpenAI instead of
 * passing every offline test. The chat ids are those of the spec's `ModelIdsShared` enum
 * (../shared/reference/openai-chat-embeddings.schemas.json) plus the Responses-only and embedding/moderation ids.
 */
export const knownOpenAIModels: readonly string[] = [
  // GPT-5 family
  'gpt-5.6-sol',
  'gpt-5.6-terra',
  'gpt-5.6-luna',
  'gpt-5.5',
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.4-nano',
  'gpt-5.3-chat-latest',
  'gpt-5.2',
  'gpt-5.2-chat-latest',
  'gpt-5.2-pro',
  'gpt-5.1',
  'gpt-5.1-codex',
  'gpt-5.1-codex-mini',
  'gpt-5.1-codex-max',
  'gpt-5.1-mini',
  'gpt-5.1-chat-latest',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'gpt-5-pro',
  'gpt-5-codex',
  'gpt-5-chat-latest',
  // GPT-4.x and older chat models
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-4.5-preview',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4o-audio-preview',
  'gpt-4o-mini-audio-preview',
  'gpt-4o-search-preview',
  'gpt-4o-mini-search-preview',
  'chatgpt-4o-latest',
  'codex-mini-latest',
  'gpt-4-turbo',
  'gpt-4-0125-preview',
  'gpt-4-turbo-preview',
  'gpt-4-1106-preview',
  'gpt-4-vision-preview',
  'gpt-4',
  'gpt-4-0314',
  'gpt-4-0613',
  'gpt-4-32k',
  'gpt-4-32k-0314',
  'gpt-4-32k-0613',
  'gpt-3.5-turbo',
  'gpt-3.5-turbo-16k',
  'gpt-3.5-turbo-0301',
  'gpt-3.5-turbo-0613',
  'gpt-3.5-turbo-1106',
  'gpt-3.5-turbo-0125',
  'gpt-3.5-turbo-16k-0613',
  'gpt-oss-120b',
  'gpt-oss-20b',
  // o-series reasoning models
  'o4-mini',
  'o4-mini-deep-research',
  'o3',
  'o3-pro',
  'o3-mini',
  'o3-deep-research',
  'o1',
  'o1-pro',
  'o1-preview',
  'o1-mini',
  // embeddings and moderation
  'text-embedding-3-small',
  'text-embedding-3-large',
  'text-embedding-ada-002',
  'omni-moderation-latest',
  'text-moderation-latest',
  'text-moderation-stable',
];

/** `gpt-4o-mini-2024-07-18`: a dated snapshot of a known id. */
const datedSnapshot = /^(.+)-\d{4}-\d{2}-\d{2}$/;

/** `ft:gpt-4o-mini-2024-07-18:org::abc123`: a fine-tune of a known base model. */
const fineTune = /^ft:([^:]+):/;

/** Which model ids an emulator accepts: the built-in list plus `allow`, or anything at all. */
export type AllowedModels = 'any' | readonly string[];

export function isKnownModel(model: string, allowed: AllowedModels): boolean {
  if (allowed === 'any' || allowed.includes(model)) return true;
  const base = fineTune.exec(model)?.[1] ?? model;
  const undated = datedSnapshot.exec(base)?.[1] ?? base;
  return knownOpenAIModels.includes(base) || knownOpenAIModels.includes(undated);
}
