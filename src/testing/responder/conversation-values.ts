import type { JsonObject } from '../types.js';
import { hashString } from '../random.js';
import { contentWords, wordMatches, wordsOf } from './words.js';

/**
 * Values for a schema's leaves taken from the conversation, as a model would fill them in: the order id, city, number
 * or email the user wrote, the enum value whose words the text uses. Returns undefined when the text offers nothing
 * that fits the schema (the caller then falls back to its generated value), so every value returned is schema-valid.
 */
export type ConversationPicker = (schema: JsonObject, name: string) => unknown;

export function conversationPicker(text: string): ConversationPicker {
  const words = contentWords(text);
  return (schema, name) => {
    if (Array.isArray(schema.enum)) return enumValue(schema.enum, words, hashString(`${name}\n${text}`));
    const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== 'null') : schema.type;
    if (type === 'string') return stringCandidates(schema, name, text).find((value) => fitsString(schema, value));
    if (type === 'number' || type === 'integer') {
      return numberCandidates(text, name).find((value) => fitsNumber(schema, value, type === 'integer'));
    }
    return undefined;
  };
}

/** Values such as "other" or "normal" that a careful model picks when the text says nothing about a field. */
const noSignalValue = /^(other|none|unknown|neutral|normal|medium|general|misc|unspecified)$/i;

/**
 * The enum value with the most of its words in the text (`feature_request` has two; `billing` matches "billed"),
 * else the value that means "nothing in particular" when there is one ("other", "normal", "neutral"), else one picked
 * by the text's hash: the same text always gets the same value, and different texts do not all get the first.
 */
function enumValue(values: unknown[], words: string[], seed: number): unknown {
  const choices = values.filter((value) => value !== null);
  if (choices.length === 0) return null;
  let best: { value: unknown; score: number } = { value: undefined, score: 0 };
  for (const value of choices) {
    if (typeof value !== 'string') continue;
    const score = wordsOf(value).filter((part) => words.some((word) => wordMatches(word, part))).length;
    if (score > best.score) best = { value, score };
  }
  if (best.score > 0) return best.value;
  return (
    choices.find((value) => typeof value === 'string' && noSignalValue.test(value)) ?? choices[seed % choices.length]
  );
}

const locationNames = ['city', 'location', 'place', 'town', 'country', 'destination', 'origin', 'region', 'where'];
const identifierNames = ['id', 'number', 'code', 'ref', 'reference', 'sku', 'ticket', 'order', 'invoice'];
const summaryNames = ['summary', 'title', 'subject', 'description', 'reason', 'note', 'headline'];
const freeTextNames = ['query', 'q', 'search', 'text', 'question', 'prompt', 'message', 'input', 'topic', 'keywords'];

function stringCandidates(schema: JsonObject, name: string, text: string): string[] {
  const parts = wordsOf(name);
  const has = (list: string[]) => parts.some((part) => list.includes(part));
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  if (format === 'email' || has(['email', 'mail'])) return matches(text, /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g);
  if (format === 'uri' || format === 'url' || has(['url', 'link', 'website'])) return matches(text, /https?:\/\/\S+/g);
  if (format === 'date') return matches(text, /\b\d{4}-\d{2}-\d{2}\b/g);
  if (format === 'date-time')
    return matches(text, /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g);
  if (format !== undefined) return [];
  const example = exampleIn(schema.description);
  if (example) return identifiers(text).filter((token) => shapeOf(token) === shapeOf(example));
  if (has(identifierNames)) return identifiers(text);
  if (has(locationNames)) return places(text);
  if (has(summaryNames)) return [firstSentence(text)].filter(Boolean);
  if (has(freeTextNames)) return [text.replace(/\s+/g, ' ').trim()].filter(Boolean);
  return [];
}

function matches(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((match) => match[0].replace(/[.,;:!?)]+$/, ''));
}

/** "e.g. A-1001" or "for example C-0042" in a property's description: the shape ids of that kind have. */
function exampleIn(description: unknown): string | undefined {
  if (typeof description !== 'string') return undefined;
  const example = /\b(?:e\.g\.|for example|such as|like)\s*[:,]?\s*["'`]?([^\s"'`,;]+)/i.exec(description)?.[1];
  const cleaned = example?.replace(/[.,;:!?)]+$/, '');
  // Only an example with a digit or a separator has a shape worth matching; a plain word would match any word.
  return cleaned && /[\d_#/-]/.test(cleaned) ? cleaned : undefined;
}

/** A-1002 → A-9999: letters and digits by class, separators as they are. */
function shapeOf(token: string): string {
  return token.replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/\d/g, '9');
}

/** Tokens that look like ids: a digit somewhere, and letters, digits and inner separators only (A-1002, 771330). */
function identifiers(text: string): string[] {
  return matches(text, /(?<![\w-])[A-Za-z]*[-_#]?\d[\w-]*/g)
    .map((token) => token.replace(/^#/, ''))
    .filter((token) => token.length >= 2 && !/^\d{4}-\d{2}-\d{2}/.test(token));
}

/** Capitalised words after in/at/to/from/for/near: "weather in New York today" → New York. */
function places(text: string): string[] {
  return [...text.matchAll(/\b(?:in|at|to|from|for|near)\s+((?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+)*)/g)].map(
    (match) => match[1],
  );
}

/** The first sentence of the longest paragraph: a ticket's body rather than its header line. */
function firstSentence(text: string): string {
  const paragraphs = text.split(/\n+/).map((line) => line.trim());
  const longest = paragraphs.reduce((best, line) => (line.length > best.length ? line : best), '');
  const sentence = /^.*?[.!?](?=\s|$)/.exec(longest)?.[0] ?? longest;
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

/**
 * Numbers written as numbers (not the digits of an id or a date), those next to a word of the property's name first:
 * "for 3 days" gives `days` 3.
 */
function numberCandidates(text: string, name: string): number[] {
  const parts = wordsOf(name);
  const found = [...text.matchAll(/(?<![\w.-])-?\d+(?:\.\d+)?(?![\w-]|\.\d)/g)].map((match) => {
    const around = text.slice(Math.max(0, match.index - 24), match.index + match[0].length + 24);
    const near = contentWords(around).some((word) => parts.some((part) => wordMatches(word, part)));
    return { value: Number(match[0]), near };
  });
  return [...found.filter((item) => item.near), ...found.filter((item) => !item.near)].map((item) => item.value);
}

function fitsString(schema: JsonObject, value: string): boolean {
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
  if (typeof schema.pattern === 'string') {
    try {
      if (!new RegExp(schema.pattern, 'u').test(value)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function fitsNumber(schema: JsonObject, value: number, integer: boolean): boolean {
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return false;
  if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
  if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return false;
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return false;
  if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0) {
    const ratio = value / schema.multipleOf;
    if (Math.abs(ratio - Math.round(ratio)) > 1e-9) return false;
  }
  return true;
}
