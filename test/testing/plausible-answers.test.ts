import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { defaultResponder } from '../../src/testing/index.js';

/**
 * The default responder's answers must read as a user expects of an agent, offline: tool arguments are what the user
 * wrote, the answer after a tool reads its result out, structured output picks the enum values the text speaks of,
 * and embeddings put texts that share words near each other. Every value stays valid for its schema.
 */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false }));

const chat = (body: Record<string, unknown>) =>
  defaultResponder({ url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', ...body } }).body as any;
const responses = (body: Record<string, unknown>) =>
  defaultResponder({ url: '/v1/responses', body: { model: 'gpt-4o-mini', ...body } }).body as any;

const tool = (name: string, parameters: Record<string, unknown>) => ({
  type: 'function',
  function: { name, parameters },
});

/** The arguments the responder calls the (only) tool with, after checking them against the tool's schema. */
function argumentsFor(userText: string, parameters: Record<string, unknown>): Record<string, unknown> {
  const body = chat({ messages: [{ role: 'user', content: userText }], tools: [tool('run', parameters)] });
  const values = JSON.parse(body.choices[0].message.tool_calls[0].function.arguments);
  expect(ajv.validate(parameters, values), JSON.stringify(ajv.errors)).toBe(true);
  return values;
}

const orderLookup = {
  type: 'object',
  properties: { orderId: { type: 'string', description: 'The order id, e.g. A-1001' } },
  required: ['orderId'],
  additionalProperties: false,
};

describe('default responder: tool arguments come from the conversation', () => {
  it('looks up the order the user asked about, in chat completions and in the Responses API', () => {
    const question = 'Where is my order A-1002, and when will it arrive?';
    expect(argumentsFor(question, orderLookup)).toEqual({ orderId: 'A-1002' });

    const call = responses({
      input: question,
      tools: [{ type: 'function', name: 'lookupOrder', parameters: orderLookup }],
    }).output[0];
    expect(JSON.parse(call.arguments)).toEqual({ orderId: 'A-1002' });
  });

  it('takes the id whose shape the description shows, not another number in the text', () => {
    const customer = {
      type: 'object',
      properties: { customerId: { type: 'string', description: 'The customer id on the ticket, e.g. C-0042.' } },
      required: ['customerId'],
    };
    const ticket =
      'Ticket T-10005 from customer C-0009 via chat\nSubject: Charged twice\n\nI was billed twice ($461 each).';
    expect(argumentsFor(ticket, customer)).toEqual({ customerId: 'C-0009' });
  });

  it('fills a city, a number next to its word, an enum the text names and an email', () => {
    const forecast = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        notify: { type: 'string', format: 'email' },
      },
      required: ['city', 'days', 'unit', 'notify'],
    };
    const values = argumentsFor(
      'Order 12 umbrellas? First the weather in New York for 3 days, in fahrenheit; mail me at ann@example.org.',
      forecast,
    );
    expect(values).toEqual({ city: 'New York', days: 3, unit: 'fahrenheit', notify: 'ann@example.org' });
  });

  it('keeps a schema-valid generated value when the text offers nothing that fits', () => {
    const bounded = {
      type: 'object',
      properties: {
        quantity: { type: 'integer', minimum: 1, maximum: 5 },
        code: { type: 'string', pattern: '^[a-z]+$' },
      },
      required: ['quantity', 'code'],
    };
    // 12 is above the maximum and A-1002 does not match the pattern: neither may be used.
    const values = argumentsFor('Send 12 of item A-1002', bounded);
    expect(values.quantity).not.toBe(12);
    expect(values.code).not.toBe('A-1002');
  });

  it('answers after the tool by reading its result out, naming what was looked up', () => {
    const body = chat({
      messages: [
        { role: 'user', content: 'Where is my order A-1002?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookupOrder', arguments: '{"orderId":"A-1002"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"status":"held at customs","eta":"unknown"}' },
      ],
      tools: [tool('lookupOrder', orderLookup)],
    });
    expect(body.choices[0].message.content).toBe(
      'According to lookupOrder (A-1002): the status is held at customs and the eta is unknown.',
    );
  });
});

const triage = {
  type: 'object',
  properties: {
    category: { type: 'string', enum: ['billing', 'bug', 'outage', 'account', 'shipping', 'other'] },
    priority: { type: 'string', enum: ['urgent', 'high', 'normal', 'low'] },
    sentiment: { type: 'string', enum: ['angry', 'frustrated', 'neutral', 'happy'] },
    team: { type: 'string', enum: ['billing', 'engineering', 'account_management', 'logistics'] },
    summary: { type: 'string' },
  },
  required: ['category', 'priority', 'sentiment', 'team', 'summary'],
  additionalProperties: false,
};

function triaged(ticket: string): Record<string, string> {
  const body = chat({
    messages: [{ role: 'user', content: ticket }],
    response_format: { type: 'json_schema', json_schema: { name: 'triage', strict: true, schema: triage } },
  });
  const object = JSON.parse(body.choices[0].message.content);
  expect(ajv.validate(triage, object), JSON.stringify(ajv.errors)).toBe(true);
  return object;
}

describe('default responder: structured output picks the enum values the text speaks of', () => {
  it('tickets about different things get different categories, not the first value for all', () => {
    const billing = triaged('Subject: Charged twice\n\nI was billed twice this month. Please refund the duplicate.');
    const login = triaged('Subject: Cannot log in\n\nMy account is locked since the password reset.');
    const outage = triaged('Subject: Production is down\n\nURGENT: the API returns 500 for every call.');

    expect(billing).toMatchObject({ category: 'billing', team: 'billing' });
    expect(login).toMatchObject({ category: 'account', team: 'account_management' });
    expect(outage.priority).toBe('urgent');
    expect(billing.summary).toBe('I was billed twice this month.');
  });

  it('a field the text says nothing about takes its neutral value, not the first', () => {
    const calm = triaged('Subject: Question\n\nCould you tell me which plan I am on?');
    expect(calm).toMatchObject({ category: 'other', priority: 'normal', sentiment: 'neutral' });
  });
});

const embed = (input: string[]) =>
  (
    defaultResponder({ url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input } }).body as {
      data: Array<{ embedding: number[] }>;
    }
  ).data.map((item) => item.embedding);
const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index], 0);

describe('default responder: embeddings keep texts that share words near each other', () => {
  it('ranks the pair about the same thing most similar, and an unrelated pair near zero', () => {
    const texts = [
      'The invoice was charged twice.',
      'I was billed twice this month.',
      'The app crashes on start.',
      'Dark mode, please!',
    ];
    const vectors = embed(texts);
    const pairs = texts.flatMap((_, i) =>
      texts
        .slice(i + 1)
        .map((__, offset) => ({ i, j: i + 1 + offset, similarity: cosine(vectors[i], vectors[i + 1 + offset]) })),
    );
    const best = pairs.reduce((a, b) => (b.similarity > a.similarity ? b : a));
    expect([best.i, best.j]).toEqual([0, 1]);
    expect(best.similarity).toBeGreaterThan(0.2);
    for (const pair of pairs.filter((pair) => pair !== best)) expect(Math.abs(pair.similarity)).toBeLessThan(0.1);
  });

  it('more shared words, nearer; the same text, the same unit vector; word endings do not matter', () => {
    const [base, close, closer, same, inflected] = embed([
      'refund my duplicate invoice charge',
      'refund please',
      'refund the duplicate invoice',
      'refund my duplicate invoice charge',
      'refunded duplicates invoiced charges',
    ]);
    expect(cosine(base, closer)).toBeGreaterThan(cosine(base, close));
    expect(same).toEqual(base);
    expect(cosine(base, base)).toBeCloseTo(1, 10);
    expect(cosine(base, inflected)).toBeGreaterThan(0.9);
  });
});
