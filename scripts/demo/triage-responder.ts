import type { Triage } from '../../examples/ticket-triage.js';
import { defaultResponder } from '../../src/testing/index.js';
import type { Responder } from '../../src/testing/index.js';

/**
 * The emulator's answers for the demo when there is no OPENAI_API_KEY. The default responder would fill the triage
 * schema with its first enum values and call the tool with `sample customerId`; these rules read the ticket instead,
 * so that the results file is worth opening. They are keyword rules, not a model: the demo says so when it starts.
 * Everything else (ids, usage, finish reasons, the HTTP shapes) is the default responder's.
 */
export const triageResponder: Responder = (request) => {
  const answer = defaultResponder(request);
  if (request.url !== '/v1/chat/completions' || answer.statusCode !== 200) return answer;
  const body = answer.body as ChatCompletion;
  const message = body.choices[0]?.message;
  if (!message) return answer;
  const messages = (request.body.messages ?? []) as Array<{ role: string; content?: unknown }>;
  const userText = textOf(messages.findLast((item) => item.role === 'user')?.content);
  const toolCall = message.tool_calls?.[0];
  if (toolCall?.function.name === 'lookupCustomer') {
    toolCall.function.arguments = JSON.stringify({ customerId: /C-\d{4}/.exec(userText)?.[0] ?? 'unknown' });
    return withCompletion(answer, body, toolCall.function.arguments);
  }
  const schema = request.body.response_format?.json_schema?.schema as
    { properties?: Record<string, unknown> } | undefined;
  if (schema?.properties && 'category' in schema.properties && 'priority' in schema.properties) {
    const customer = textOf(messages.findLast((item) => item.role === 'tool')?.content);
    message.content = JSON.stringify(triageByKeywords(userText, customer));
    return withCompletion(answer, body, message.content);
  }
  if (userText.startsWith('Write a three-sentence handover note')) {
    message.content = handoverByCounting(userText);
    return withCompletion(answer, body, message.content);
  }
  return answer;
};

interface ChatCompletion {
  choices: Array<{
    message: { content: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> };
  }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** Output tokens follow the new text, at the emulator's four characters per token. */
function withCompletion(answer: { statusCode: number; body: unknown }, body: ChatCompletion, text: string) {
  body.usage.completion_tokens = Math.max(1, Math.ceil(text.length / 4));
  body.usage.total_tokens = body.usage.prompt_tokens + body.usage.completion_tokens;
  return answer;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('\n');
  // A tool message's content may arrive as parts or as a JSON value.
  return content === undefined ? '' : JSON.stringify(content);
}

type Rule = [RegExp, Omit<Triage, 'summary'>];

const rules: Rule[] = [
  [
    /production is down|returns 500|URGENT/i,
    { category: 'outage', priority: 'urgent', sentiment: 'angry', team: 'engineering' },
  ],
  [/GDPR|delete my account/i, { category: 'privacy', priority: 'high', sentiment: 'neutral', team: 'legal' }],
  [/SOC 2|security policy/i, { category: 'privacy', priority: 'normal', sentiment: 'neutral', team: 'legal' }],
  [/crash|bug|off by/i, { category: 'bug', priority: 'high', sentiment: 'frustrated', team: 'engineering' }],
  [/billed twice|refund|invoice/i, { category: 'billing', priority: 'high', sentiment: 'frustrated', team: 'billing' }],
  [/cancel/i, { category: 'account', priority: 'high', sentiment: 'neutral', team: 'account_management' }],
  [/log in|invite/i, { category: 'account', priority: 'normal', sentiment: 'frustrated', team: 'account_management' }],
  [
    /order #|damaged|tracking/i,
    { category: 'shipping', priority: 'normal', sentiment: 'frustrated', team: 'logistics' },
  ],
  [/feature request|any plans/i, { category: 'feature_request', priority: 'low', sentiment: 'happy', team: 'product' }],
  [/thank you|great service/i, { category: 'praise', priority: 'low', sentiment: 'happy', team: 'product' }],
];

const higher: Record<Triage['priority'], Triage['priority']> = {
  low: 'normal',
  normal: 'high',
  high: 'urgent',
  urgent: 'urgent',
};

function triageByKeywords(ticketText: string, customerText: string): Triage {
  const body = ticketText.split('\n').slice(1).join(' ');
  const [, fields] = rules.find(([pattern]) => pattern.test(body)) ?? [
    /./,
    { category: 'other', priority: 'normal', sentiment: 'neutral', team: 'account_management' } as const,
  ];
  // The lookup's answer matters, as the instructions say: an enterprise customer gets one level higher.
  const priority = /"plan":\s*"enterprise"/.test(customerText) ? higher[fields.priority] : fields.priority;
  const subject = /Subject: (.*)/.exec(ticketText)?.[1] ?? 'ticket';
  const firstSentence = (/\n\n([^.!?]*[.!?]?)/.exec(ticketText)?.[1] ?? '').trim();
  return { ...fields, priority, summary: `${subject}: ${firstSentence}`.slice(0, 160) };
}

function handoverByCounting(prompt: string): string {
  const lines = prompt.split('\n').slice(1).filter(Boolean);
  const urgent = lines.filter((line) => / urgent /.test(line)).map((line) => line.split(' ')[0]);
  const byCategory = new Map<string, number>();
  for (const line of lines) {
    const category = line.split(' ')[2]?.replace(':', '') ?? 'other';
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
  }
  const [top, topCount] = [...byCategory].sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
  return (
    `${lines.length} tickets triaged on this page. ` +
    `${urgent.length > 0 ? `Urgent first: ${urgent.join(', ')}.` : 'Nothing urgent.'} ` +
    `Most tickets are ${top} (${topCount}).`
  );
}
