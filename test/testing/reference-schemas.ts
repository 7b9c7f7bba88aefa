import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Validators for the OpenAI OpenAPI subsets in ../shared/reference (read in place, never copied into the repo).
 *
 * The spec is OpenAPI 3.1 (JSON Schema 2020-12) with a few quirks, handled here and nowhere looser:
 * - `$ref: '#/components/schemas/X'` is rewritten to `#/$defs/X` so that one schema document holds all components.
 * - `nullable: true` (an OpenAPI 3.0 leftover inside the chat request schemas) becomes `anyOf [schema, null]`.
 * - Vendor keywords (`x-oaiMeta`, `x-stainless-const`, ...), `example` and `discriminator` are annotations only;
 *   `oneOf` still decides on its own.
 * - Formats `unixtime` (integer seconds) and `binary` are not standard; they are declared with their documented type.
 * - Properties that the spec's own response examples show as `null` (e.g. Batch `output_file_id`, `failed_at`,
 *   `errors`) but whose schema does not admit null are made nullable: the real API returns null there, as the
 *   examples say. Nothing else is relaxed.
 */

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** BATCH_BRIDGE_REFERENCE_DIR points elsewhere (a checkout without ../shared, or a test of the missing-folder case). */
export const referenceDirectory = path.resolve(
  repositoryRoot,
  process.env.BATCH_BRIDGE_REFERENCE_DIR ?? '../shared/reference',
);
export const referenceFiles = ['openai-batch-files.openapi.json', 'openai-chat-embeddings.schemas.json'];
export const missingReferenceFiles = referenceFiles.filter((name) => !existsSync(path.join(referenceDirectory, name)));
export const referenceAvailable = missingReferenceFiles.length === 0;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

type Json = any;

function readJson(name: string): Json {
  return JSON.parse(readFileSync(path.join(referenceDirectory, name), 'utf8'));
}

function transform(value: Json, vendorKeywords: Set<string>): Json {
  if (Array.isArray(value)) return value.map((item) => transform(item, vendorKeywords));
  if (value === null || typeof value !== 'object') return value;
  const result: Json = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('x-')) vendorKeywords.add(key);
    if (key === '$ref' && typeof item === 'string') result[key] = item.replace('#/components/schemas/', '#/$defs/');
    else if (key === 'properties') {
      result[key] = Object.fromEntries(
        Object.entries(item as object).map(([name, schema]) => [name, transform(schema, vendorKeywords)]),
      );
    } else result[key] = transform(item, vendorKeywords);
  }
  if (result.nullable === true) {
    const { nullable: _nullable, ...rest } = result;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return result;
}

/** Example JSON in the spec has trailing commas and `{ ... }` placeholders; unparseable examples are skipped. */
function parseExample(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value = JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function admitsNull(schema: Json): boolean {
  if (schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some(admitsNull);
}

/** The (schema name, example) pairs the spec documents for its responses. */
function documentedExamples(spec: Json): Array<{ schemaName: string; example: Record<string, unknown> }> {
  const pairs: Array<{ schemaName: string; example: Record<string, unknown> }> = [];
  for (const [schemaName, schema] of Object.entries<Json>(spec.components.schemas)) {
    const example = parseExample(schema['x-oaiMeta']?.example);
    if (example) pairs.push({ schemaName, example });
  }
  for (const operations of Object.values<Json>(spec.paths ?? {})) {
    for (const operation of Object.values<Json>(operations)) {
      const reference: unknown = operation.responses?.['200']?.content?.['application/json']?.schema?.$ref;
      const example = parseExample(operation['x-oaiMeta']?.examples?.response);
      if (typeof reference === 'string' && example) pairs.push({ schemaName: reference.split('/').at(-1)!, example });
    }
  }
  return pairs;
}

export const nullablePatches: string[] = [];

function admitDocumentedNulls(spec: Json, definitions: Json): void {
  for (const { schemaName, example } of documentedExamples(spec)) {
    const properties = definitions[schemaName]?.properties ?? {};
    for (const [name, value] of Object.entries(example)) {
      const property = properties[name];
      if (value !== null || !property || admitsNull(property)) continue;
      properties[name] = { anyOf: [property, { type: 'null' }] };
      nullablePatches.push(`${schemaName}.${name}`);
    }
  }
}

export interface ReferenceValidators {
  /** Errors (empty when valid) of a body against the 200 schema of an operation of the Batch/Files spec. */
  operation(operationId: string, body: unknown): string[];
  /** Errors of a body against a named component schema of either reference file. */
  schema(name: string, body: unknown): string[];
}

export function loadReferenceValidators(): ReferenceValidators {
  const batchSpec = readJson('openai-batch-files.openapi.json');
  const chatSpec = readJson('openai-chat-embeddings.schemas.json');
  const vendorKeywords = new Set<string>();
  const definitions = {
    ...transform(chatSpec.components.schemas, vendorKeywords),
    ...transform(batchSpec.components.schemas, vendorKeywords),
  };
  admitDocumentedNulls(batchSpec, definitions);
  admitDocumentedNulls(chatSpec, definitions);

  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  addFormats(ajv);
  ajv.addFormat('unixtime', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= 0 });
  ajv.addFormat('binary', true);
  for (const keyword of [...vendorKeywords, 'example', 'discriminator']) ajv.addKeyword(keyword);
  ajv.addSchema({ $id: 'openai', $defs: definitions });

  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (reference: string): ValidateFunction => {
    let validate = validators.get(reference);
    if (!validate) {
      validate = ajv.compile({ $ref: reference });
      validators.set(reference, validate);
    }
    return validate;
  };
  const errorsOf = (validate: ValidateFunction, body: unknown): string[] =>
    validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);

  const operationSchemas = new Map<string, Json>();
  for (const operations of Object.values<Json>(batchSpec.paths)) {
    for (const operation of Object.values<Json>(operations)) {
      const schema = operation.responses['200'].content['application/json'].schema;
      operationSchemas.set(operation.operationId, schema);
    }
  }

  return {
    operation(operationId, body) {
      const schema = operationSchemas.get(operationId);
      if (!schema) throw new Error(`No operation ${operationId} in the reference spec.`);
      if (typeof schema.$ref === 'string')
        return errorsOf(validatorFor(`openai#/$defs/${schema.$ref.split('/').at(-1)}`), body);
      return errorsOf(ajv.compile(schema), body);
    },
    schema(name, body) {
      if (!(name in definitions)) throw new Error(`No schema ${name} in the reference files.`);
      return errorsOf(validatorFor(`openai#/$defs/${name}`), body);
    },
  };
}
