import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultResponder, valueFromSchema } from '../../src/testing/index.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false }));

const chat = (body: Record<string, unknown>) =>
  defaultResponder({ url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', ...body } });
const responses = (body: Record<string, unknown>) =>
  defaultResponder({ url: '/v1/responses', body: { model: 'gpt-4o-mini', ...body } });
const embeddings = (body: Record<string, unknown>) =>
  defaultResponder({ url: '/v1/embeddings', body: { model: 'text-embedding-3-small', ...body } });
const message = (result: { body: unknown }) => (result.body as any).choices[0].message;

const weatherTool = {
  type: 'function',
  function: {
    name: 'weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
    },
  },
};
const timeTool = {
  type: 'function',
  function: {
    name: 'clock',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
  },
};

describe('defaultResponder: chat completions', () => {
  it('echoes the first 60 characters of the last user message, whitespace collapsed', () => {
    const long = `  Hello\n\n  there, ${'x'.repeat(100)}`;
    const result = chat({
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: long },
      ],
    });
    expect(result.statusCode).toBe(200);
    expect(message(result).content).toBe(`Echo: ${long.replace(/\s+/g, ' ').trim().slice(0, 60)}`);
    expect(result.body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null }],
    });
    expect((result.body as any).usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(
      message(chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'from parts' }] }] })).content,
    ).toBe('Echo: from parts');
    expect(message(chat({ messages: [{ role: 'system', content: 'only system' }] })).content).toBe(
      'Echo: (no user message)',
    );
  });

  it('is deterministic: the same request gets the same content', () => {
    const body = { messages: [{ role: 'user', content: 'same' }], tools: [weatherTool] };
    expect(message(chat(body)).tool_calls[0].function).toEqual(message(chat(body)).tool_calls[0].function);
  });

  it('calls one offered tool, with arguments valid for its schema, until a tool result arrives', () => {
    const result = chat({
      messages: [{ role: 'user', content: 'What is the weather?' }],
      tools: [weatherTool, timeTool],
    });
    const call = message(result).tool_calls[0];
    expect((result.body as any).choices[0].finish_reason).toBe('tool_calls');
    expect(message(result).content).toBeNull();
    expect(message(result).tool_calls).toHaveLength(1);
    expect(call).toMatchObject({
      id: expect.stringMatching(/^call_/),
      type: 'function',
      function: { name: 'weather' },
    });
    expect(ajv.validate(weatherTool.function.parameters, JSON.parse(call.function.arguments))).toBe(true);

    const named = chat({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'clock' } },
    });
    expect(message(named).tool_calls[0].function.name).toBe('clock');
    const mentioned = chat({
      messages: [{ role: 'user', content: 'use the clock please' }],
      tools: [weatherTool, timeTool],
    });
    expect(message(mentioned).tool_calls[0].function.name).toBe('clock');
    const none = chat({ messages: [{ role: 'user', content: 'no tools' }], tools: [weatherTool], tool_choice: 'none' });
    expect(message(none).content).toBe('Echo: no tools');

    const afterResult = chat({
      messages: [
        { role: 'user', content: 'What is the weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 21}' },
      ],
      tools: [weatherTool],
    });
    expect(message(afterResult).content).toBe('According to weather: the temperature is 21.');
    expect((afterResult.body as any).choices[0].finish_reason).toBe('stop');
  });

  it('answers JSON valid for a json_schema response_format, and wraps text for json_object', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name', 'tags'],
      additionalProperties: false,
    };
    const result = chat({
      messages: [{ role: 'user', content: 'json' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema } },
    });
    expect(ajv.validate(schema, JSON.parse(message(result).content))).toBe(true);
    const object = chat({ messages: [{ role: 'user', content: 'obj' }], response_format: { type: 'json_object' } });
    expect(JSON.parse(message(object).content)).toEqual({ answer: 'Echo: obj' });
  });

  it('truncates at max_completion_tokens with finish_reason length, and answers n choices', () => {
    const result = chat({
      messages: [{ role: 'user', content: 'a fairly long question that goes on' }],
      max_completion_tokens: 2,
    });
    expect(message(result).content).toBe('Echo: a ');
    expect((result.body as any).choices[0].finish_reason).toBe('length');
    expect(
      (chat({ messages: [{ role: 'user', content: 'n' }], n: 3 }).body as any).choices.map(
        (choice: any) => choice.index,
      ),
    ).toEqual([0, 1, 2]);
  });

  it('answers 400 with an OpenAI error body for invalid requests and for stream', () => {
    expect(chat({ messages: [] })).toMatchObject({
      statusCode: 400,
      body: { error: { type: 'invalid_request_error', param: 'messages' } },
    });
    expect(defaultResponder({ url: '/v1/chat/completions', body: { messages: [] } })).toMatchObject({
      statusCode: 400,
      body: { error: { code: 'missing_required_parameter', param: 'model' } },
    });
    expect(chat({ messages: [{ role: 'user', content: 'x' }], stream: true })).toMatchObject({
      statusCode: 400,
      body: { error: { param: 'stream' } },
    });
  });
});

describe('defaultResponder: Responses API', () => {
  const responsesTool = {
    type: 'function',
    name: 'weather',
    parameters: weatherTool.function.parameters,
    strict: true,
  };

  it('answers a completed response with one output_text message', () => {
    const result = responses({ input: 'Hello', instructions: 'be brief' });
    expect(result.body).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response',
      status: 'completed',
      error: null,
      model: 'gpt-4o-mini',
      instructions: 'be brief',
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Echo: Hello', annotations: [] }],
        },
      ],
      usage: {
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    });
    const items = responses({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'from items' }] }] });
    expect((items.body as any).output[0].content[0].text).toBe('Echo: from items');
  });

  it('calls a function tool until a function_call_output arrives, then mentions the output', () => {
    const call = (responses({ input: 'weather?', tools: [responsesTool] }).body as any).output[0];
    expect(call).toMatchObject({
      type: 'function_call',
      name: 'weather',
      call_id: expect.stringMatching(/^call_/),
      id: expect.stringMatching(/^fc_/),
    });
    expect(ajv.validate(responsesTool.parameters, JSON.parse(call.arguments))).toBe(true);
    const after = responses({
      input: [
        { role: 'user', content: 'weather?' },
        { type: 'function_call', call_id: call.call_id, name: 'weather', arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'sunny' },
      ],
      tools: [responsesTool],
    });
    const about = Object.values(JSON.parse(call.arguments)).join(', ');
    expect((after.body as any).output[0].content[0].text).toBe(`According to weather (${about}): sunny.`);
  });

  it('answers JSON for text.format json_schema, and marks truncation as incomplete', () => {
    const schema = {
      type: 'object',
      properties: { score: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['score'],
      additionalProperties: false,
    };
    const result = responses({
      input: 'rate',
      text: { format: { type: 'json_schema', name: 'rating', strict: true, schema } },
    });
    expect(ajv.validate(schema, JSON.parse((result.body as any).output[0].content[0].text))).toBe(true);
    expect(responses({ input: 'a long enough input to cut', max_output_tokens: 1 }).body).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });
});

describe('defaultResponder: embeddings', () => {
  const vectors = (result: { body: unknown }) =>
    (result.body as any).data.map((item: any) => item.embedding as number[]);
  const norm = (vector: number[]) => Math.hypot(...vector);

  it('answers deterministic unit vectors of the model’s default size', () => {
    const [first, second] = vectors(embeddings({ input: ['alpha', 'beta'] }));
    expect(first).toHaveLength(1536);
    expect(norm(first)).toBeCloseTo(1, 10);
    expect(first).not.toEqual(second);
    expect(vectors(embeddings({ input: 'alpha' }))[0]).toEqual(first);
    expect(vectors(embeddings({ model: 'text-embedding-3-large', input: 'alpha' }))[0]).toHaveLength(3072);
    expect(vectors(embeddings({ model: 'text-embedding-ada-002', input: 'alpha' }))[0]).toHaveLength(1536);
    expect(vectors(embeddings({ input: 'alpha', dimensions: 256 }))[0]).toHaveLength(256);
    expect(embeddings({ input: ['a', 'bbbb'] }).body).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  });

  it('encodes base64 as little-endian float32 when asked', () => {
    const [encoded] = vectors(
      embeddings({ input: 'alpha', encoding_format: 'base64', dimensions: 4 }),
    ) as unknown as string[];
    const decoded = Array.from(new Float32Array(new Uint8Array(Buffer.from(encoded, 'base64')).buffer));
    const [floats] = vectors(embeddings({ input: 'alpha', dimensions: 4 }));
    decoded.forEach((value, index) => expect(value).toBeCloseTo(floats[index], 6));
  });

  it('answers 400 for missing input and for dimensions on ada-002', () => {
    expect(embeddings({}).statusCode).toBe(400);
    expect(embeddings({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 })).toMatchObject({
      statusCode: 400,
      body: { error: { param: 'dimensions' } },
    });
  });
});

describe('valueFromSchema', () => {
  const schemas: Record<string, object> = {
    'nested objects and arrays': {
      type: 'object',
      properties: {
        user: {
          type: 'object',
          properties: { id: { type: 'integer', minimum: 10 }, email: { type: 'string', format: 'email' } },
          required: ['id', 'email'],
        },
        scores: {
          type: 'array',
          items: { type: 'number', exclusiveMinimum: 0, maximum: 5 },
          minItems: 3,
          uniqueItems: true,
        },
        active: { type: 'boolean' },
      },
      required: ['user', 'scores', 'active'],
      additionalProperties: false,
    },
    '$defs, $ref and a recursive tree': {
      $defs: {
        node: {
          type: 'object',
          properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
          required: ['label', 'children'],
        },
      },
      $ref: '#/$defs/node',
    },
    'definitions (draft-07)': {
      definitions: { color: { enum: ['red', 'green'] } },
      type: 'object',
      properties: { color: { $ref: '#/definitions/color' } },
      required: ['color'],
    },
    'nullable anyOf and type unions': {
      type: 'object',
      properties: {
        a: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 12 }] },
        b: { type: ['null', 'integer'], multipleOf: 7, minimum: 8 },
      },
      required: ['a', 'b'],
    },
    'allOf merge and oneOf': {
      allOf: [
        { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] },
        { properties: { y: { const: 3 } }, required: ['y'] },
      ],
      properties: { z: { oneOf: [{ type: 'string', maxLength: 2 }, { type: 'integer' }] } },
    },
    'formats, patterns and lengths': {
      type: 'object',
      properties: {
        when: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        id: { type: 'string', format: 'uuid' },
        link: { type: 'string', format: 'uri' },
        code: { type: 'string', pattern: '^[A-Z]{2}[0-9]{2}$' },
        short: { type: 'string', maxLength: 3 },
        long: { type: 'string', minLength: 40 },
      },
      required: ['when', 'day', 'id', 'link', 'code', 'short', 'long'],
    },
    'tuples and bounded arrays': {
      type: 'object',
      properties: {
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false },
        none: { type: 'array', maxItems: 0 },
      },
      required: ['pair', 'none'],
    },
    'unique enums and required names without properties': {
      type: 'object',
      properties: { picks: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 2, uniqueItems: true } },
      required: ['picks', 'extra'],
      additionalProperties: { type: 'integer', maximum: -3 },
    },
    'a zod schema as the AI SDK sends it': z.toJSONSchema(
      z.object({
        title: z.string().min(3),
        rating: z.number().int().min(1).max(5),
        kind: z.enum(['book', 'film']),
        tags: z.array(z.string()).max(3),
        author: z.object({ name: z.string(), born: z.number().nullable() }),
        note: z.string().optional(),
      }),
    ),
  };

  for (const [name, schema] of Object.entries(schemas)) {
    it(`generates a valid value: ${name}`, () => {
      const value = valueFromSchema(schema);
      const valid = ajv.validate(schema, value);
      expect(ajv.errors ?? [], JSON.stringify(value)).toEqual([]);
      expect(valid).toBe(true);
    });
  }
});
