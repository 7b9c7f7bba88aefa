/** Text helpers shared by the chat, Responses and embeddings responders. */
import { wordsOf } from './words.js';

/** The text of message content: a string, or parts carrying `text` (text, input_text, output_text, refusal). */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part && typeof part === 'object') {
        const { text, refusal } = part as { text?: unknown; refusal?: unknown };
        if (typeof text === 'string') return text;
        if (typeof refusal === 'string') return refusal;
      }
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

/** The text of the user's messages, the latest first: where tool arguments and structured values are looked for. */
export function userTexts(messages: ReadonlyArray<{ content?: unknown }>): string {
  return messages
    .map((message) => textOfContent(message.content))
    .reverse()
    .join('\n');
}

const echoLength = 60;

/**
 * The deterministic answer to plain text: `Echo: ` followed by the first 60 characters of the last user message,
 * whitespace collapsed to single spaces and trimmed.
 */
export function echoText(userText: string): string {
  const collapsed = userText.replace(/\s+/g, ' ').trim();
  return `Echo: ${collapsed.length > 0 ? collapsed.slice(0, echoLength) : '(no user message)'}`;
}

const toolResultLength = 200;

/**
 * The answer after a tool ran, as an agent would word it from the result: "According to lookupOrder (A-1002): the
 * status is held at customs and the eta is unknown." A JSON object's fields are read out (up to 200 characters);
 * any other result is quoted. The call's scalar arguments say what was looked up.
 */
export function toolResultText(toolName: string, result: string, toolArguments?: unknown): string {
  const about = scalarValues(toolArguments).join(', ');
  const findings = readOut(result);
  const clipped = findings.length > toolResultLength ? `${findings.slice(0, toolResultLength)}...` : findings;
  return `According to ${toolName}${about ? ` (${about})` : ''}: ${clipped}${/[.!?]$/.test(clipped) ? '' : '.'}`;
}

function scalarValues(value: unknown): string[] {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  return Object.values(parsed)
    .filter((item) => ['string', 'number', 'boolean'].includes(typeof item))
    .map((item) => String(item).replace(/\s+/g, ' ').trim().slice(0, 40));
}

/** `{"status": "held at customs", "eta": "unknown"}` → "the status is held at customs and the eta is unknown". */
function readOut(result: string): string {
  const collapsed = result.replace(/\s+/g, ' ').trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(collapsed);
  } catch {
    return collapsed || '(no result)';
  }
  if (typeof parsed === 'string') return parsed;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return collapsed;
  const fields = Object.entries(parsed).map(([key, value]) => {
    const name = wordsOf(key).join(' ');
    return `the ${name} is ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  });
  if (fields.length === 0) return 'nothing was found';
  return fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)}`;
}

/** About four characters per token, as OpenAI's rule of thumb says; never zero. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Every string in a value, joined: what a request "says", for token estimates. */
export function allText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(allText).join(' ');
  if (value !== null && typeof value === 'object') return Object.values(value).map(allText).join(' ');
  return '';
}
