import type { JsonObject } from '../types.js';
import { conversationPicker, type ConversationPicker } from './conversation-values.js';
/**
 * Builds one deterministic value that satisfies a JSON Schema (the subset tools and structured outputs use):
 * $ref/$defs/definitions, const, enum, anyOf/oneOf (first non-null branch), allOf (merged), type unions, objects
 * (required and, near the top, optional properties), arrays (prefixItems, items, min/max/uniqueItems), strings
 * (formats, lengths, simple patterns), numbers and integers (bounds, multipleOf), booleans and null.
 * A `pattern` is met only when one of a few candidate strings happens to match it.
 * With `conversation`, leaves take what the text offers first, as a model would (conversation-values.ts): the order id
 * or city the user wrote, the enum value whose words the text uses.
 */

type Schema = JsonObject | boolean;

interface Context {
  root: Schema;
  depth: number;
  /** The property name the value is for: it makes strings readable ("sample city"). */
  name: string;
  /** Position among siblings, so that `uniqueItems` arrays get distinct items. */
  index: number;
  /** Values from the conversation; used for the first item of an array only, so that `uniqueItems` still holds. */
  pick?: ConversationPicker;
}

/** Below this depth optional properties are left out and arrays keep their minimum, so recursive schemas end. */
const optionalPropertyDepth = 3;
const maximumDepth = 12;

export function valueFromSchema(schema: unknown, options: { conversation?: string } = {}): unknown {
  const pick = options.conversation === undefined ? undefined : conversationPicker(options.conversation);
  // The schema is its own root: `$ref`s point into it.
  return generate(asSchema(schema), { root: asSchema(schema), depth: 0, name: 'value', index: 0, pick });
}

function asSchema(value: unknown): Schema {
  return typeof value === 'boolean' || (value !== null && typeof value === 'object') ? (value as Schema) : {};
}

function resolvePointer(root: Schema, reference: string): Schema {
  if (!reference.startsWith('#')) return {};
  const parts = reference
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
  let current: unknown = root;
  for (const part of parts) {
    if (current === null || typeof current !== 'object') return {};
    current = (current as Record<string, unknown>)[part];
  }
  return asSchema(current);
}

function resolve(schema: Schema, context: Context): Schema {
  let current = schema;
  for (let hops = 0; typeof current === 'object' && typeof current.$ref === 'string' && hops < 32; hops += 1) {
    const { $ref, ...siblings } = current;
    current = { ...(resolvePointer(context.root, $ref) as object), ...siblings };
  }
  return current;
}

function isNullSchema(schema: Schema): boolean {
  return (
    typeof schema === 'object' &&
    (schema.type === 'null' || (Array.isArray(schema.enum) && schema.enum.every((value: unknown) => value === null)))
  );
}

function mergeAll(schemas: Schema[], context: Context): JsonObject {
  const merged: JsonObject = {};
  for (const part of schemas.map((schema) => resolve(schema, context))) {
    if (typeof part !== 'object') continue;
    const expanded = Array.isArray(part.allOf) ? { ...part, ...mergeAll(part.allOf, context) } : part;
    for (const [key, value] of Object.entries(expanded)) {
      if (key === 'allOf') continue;
      if (key === 'properties') merged.properties = { ...merged.properties, ...value };
      else if (key === 'required') merged.required = [...new Set([...(merged.required ?? []), ...value])];
      else merged[key] ??= value;
    }
  }
  return merged;
}

function inferType(schema: JsonObject): string | undefined {
  const types: unknown[] = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  const concrete = types.find((type) => type !== 'null');
  if (typeof concrete === 'string') return concrete;
  if (types.length > 0) return 'null';
  if (schema.properties || schema.required || schema.additionalProperties) return 'object';
  if (schema.items || schema.prefixItems) return 'array';
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined) return 'number';
  return 'string';
}

function generate(input: Schema, context: Context): unknown {
  const schema = resolve(input, context);
  if (typeof schema === 'boolean') return 'sample';
  if ('const' in schema) return schema.const;
  const types: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const isLeaf =
    Array.isArray(schema.enum) || types.some((type) => type === 'string' || type === 'number' || type === 'integer');
  if (context.pick && context.index === 0 && isLeaf && schema.enum?.length !== 0) {
    const picked = context.pick(schema, context.name);
    if (picked !== undefined) return picked;
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const values = schema.enum.filter((value: unknown) => value !== null);
    return values.length > 0 ? values[context.index % values.length] : null;
  }
  if (Array.isArray(schema.allOf)) return generate(mergeAll([schema], context), context);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches) && branches.length > 0) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
    const branch = branches.find((candidate: Schema) => !isNullSchema(resolve(candidate, context))) ?? branches[0];
    return generate(mergeAll([rest, branch], context), context);
  }
  switch (inferType(schema)) {
    case 'object':
      return generateObject(schema, context);
    case 'array':
      return generateArray(schema, context);
    case 'integer':
      return generateNumber(schema, true, context.index);
    case 'number':
      return generateNumber(schema, false, context.index);
    case 'boolean':
      return context.index % 2 === 0;
    case 'null':
      return null;
    default:
      return generateString(schema, context);
  }
}

function generateObject(schema: JsonObject, context: Context): Record<string, unknown> {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required: string[] = Array.isArray(schema.required) ? schema.required : [];
  const includeOptional = context.depth < optionalPropertyDepth;
  const names = [...new Set([...required, ...(includeOptional ? Object.keys(properties) : [])])];
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
  for (let count = names.length; count < (schema.minProperties ?? 0); count += 1) names.push(`key${count + 1}`);
  const result: Record<string, unknown> = {};
  for (const name of names) {
    if (context.depth >= maximumDepth && !required.includes(name)) continue;
    // Children inherit the index so that the objects of a `uniqueItems` array differ.
    result[name] = generate(properties[name] ?? extra, { ...context, depth: context.depth + 1, name });
  }
  return result;
}

function generateArray(schema: JsonObject, context: Context): unknown[] {
  const prefix: Schema[] = Array.isArray(schema.prefixItems)
    ? schema.prefixItems
    : Array.isArray(schema.items)
      ? schema.items
      : [];
  const itemSchema: Schema = Array.isArray(schema.items) ? (schema.additionalItems ?? {}) : (schema.items ?? {});
  const minimum = schema.minItems ?? 0;
  const preferred =
    context.depth < optionalPropertyDepth ? Math.max(minimum, prefix.length, 1) : Math.max(minimum, prefix.length);
  const count = Math.min(preferred, schema.maxItems ?? Number.POSITIVE_INFINITY);
  const name = context.name.endsWith('s') ? context.name.slice(0, -1) : context.name;
  return Array.from({ length: count }, (_, index) =>
    generate(index < prefix.length ? prefix[index] : itemSchema, { ...context, depth: context.depth + 1, name, index }),
  );
}

function generateNumber(schema: JsonObject, integer: boolean, index: number): number {
  const step = integer ? 1 : 0.5;
  const lower =
    typeof schema.exclusiveMinimum === 'number'
      ? Math.max(schema.exclusiveMinimum + step, schema.minimum ?? Number.NEGATIVE_INFINITY)
      : schema.minimum;
  const upper =
    typeof schema.exclusiveMaximum === 'number'
      ? Math.min(schema.exclusiveMaximum - step, schema.maximum ?? Number.POSITIVE_INFINITY)
      : schema.maximum;
  let value = (lower ?? (upper !== undefined ? Math.min(upper, 1) : 1)) + index;
  if (integer) value = Math.ceil(value);
  if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0)
    value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
  if (upper !== undefined && value > upper) {
    value = typeof schema.multipleOf === 'number' ? Math.floor(upper / schema.multipleOf) * schema.multipleOf : upper;
    if (integer) value = Math.floor(value);
  }
  return value;
}

const formatExamples: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '127.0.0.1',
  ipv6: '::1',
  uri: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  iri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
  regex: '.*',
  'json-pointer': '/sample',
  byte: 'c2FtcGxl',
};

const patternCandidates = [
  'sample',
  'a',
  'A',
  '0',
  '1',
  'abc',
  'ABC',
  '123',
  'a1',
  'sample_1',
  'sample-1',
  'AB12',
  '2024-01-01',
  'user@example.com',
  'https://example.com/',
  '',
];

function fitLength(text: string, schema: JsonObject): string {
  const padded = text.padEnd(schema.minLength ?? 0, 'x');
  return schema.maxLength === undefined ? padded : padded.slice(0, schema.maxLength);
}

function generateString(schema: JsonObject, context: Context): string {
  if (typeof schema.format === 'string' && formatExamples[schema.format]) return formatExamples[schema.format];
  const readable = `sample ${context.name}${context.index > 0 ? ` ${context.index + 1}` : ''}`;
  if (typeof schema.pattern === 'string') {
    const pattern = safeRegExp(schema.pattern);
    const candidates = [readable, ...patternCandidates].map((candidate) => fitLength(candidate, schema));
    return candidates.find((candidate) => pattern?.test(candidate)) ?? fitLength(readable, schema);
  }
  return fitLength(readable, schema);
}

function safeRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'u');
  } catch {
    return undefined;
  }
}
