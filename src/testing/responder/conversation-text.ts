/** Text helpers shared by the chat, Responses and embeddings responders. */

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

/** The answer after a tool ran: names the tool and quotes (up to 200 characters of) its result. */
export function toolResultText(toolName: string, result: string): string {
  const collapsed = result.replace(/\s+/g, ' ').trim();
  return `The tool ${toolName} returned: ${collapsed.slice(0, toolResultLength)}`;
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
