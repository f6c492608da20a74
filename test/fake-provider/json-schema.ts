/**
 * What the fake reads from the JSON Schemas (and Gemini's OpenAPI-subset schemas) that clients send.
 * Schemas arrive as parsed JSON, so everything is read defensively.
 */
export type JsonSchema = boolean | JsonSchemaObject;
export type JsonSchemaObject = { readonly [keyword: string]: unknown };

export type JsonTypeName = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

const TYPE_NAMES = new Set<string>(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

export function isRecord(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `type` keyword as lower-case names: Gemini's OpenAPI subset spells them `OBJECT`, `STRING`. */
export function readTypes(schema: JsonSchemaObject): JsonTypeName[] {
  const raw = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  return raw
    .filter((type): type is string => typeof type === 'string')
    .map((type) => type.toLowerCase())
    .filter((type): type is JsonTypeName => TYPE_NAMES.has(type));
}

/** A finite number keyword, or undefined. */
export function readNumber(schema: JsonSchemaObject, keyword: string): number | undefined {
  const value = schema[keyword];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // Gemini's OpenAPI subset sends int64 keywords such as minItems as strings
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Resolves a local `$ref` (`#`, `#/$defs/x`, `#/definitions/x`, any JSON pointer) against the root schema. */
export function resolveReference(root: unknown, reference: string): unknown {
  if (reference === '#') return root;
  if (!reference.startsWith('#/')) return undefined; // remote references are out of scope for a fake
  let current: unknown = root;
  for (const rawSegment of reference.slice(2).split('/')) {
    const segment = decodeURIComponent(rawSegment).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isRecord(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

const DESCRIPTION_KEYWORDS: Record<string, string> = {
  minimum: 'minimum',
  maximum: 'maximum',
  'exclusive minimum': 'exclusiveMinimum',
  'exclusive maximum': 'exclusiveMaximum',
  'multiple of': 'multipleOf',
  'min length': 'minLength',
  'max length': 'maxLength',
  'min items': 'minItems',
  'max items': 'maxItems',
};

/**
 * Adds constraints that a client moved into `description` back as keywords. `@ai-sdk/anthropic` strips
 * keywords Anthropic's decoder rejects (minItems, maximum, ...) and writes them as
 * `"min items: 1; maximum: 5."`; a real model reads them, so the fake does too.
 */
export function withDescriptionConstraints(schema: JsonSchemaObject): JsonSchemaObject {
  if (typeof schema.description !== 'string') return schema;
  const found: Record<string, unknown> = {};
  for (const clause of schema.description.split(/[;\n]/)) {
    const match = /^\s*([a-z ]+):\s*(.+?)\.?\s*$/.exec(clause);
    if (!match) continue;
    const [, name = '', value = ''] = match;
    const keyword = DESCRIPTION_KEYWORDS[name];
    if (keyword !== undefined && Number.isFinite(Number(value))) found[keyword] = Number(value);
    else if (name === 'format') found.format = value;
  }
  return Object.keys(found).length === 0 ? schema : { ...found, ...schema };
}

/** Shallow merge for `allOf` and for keywords sitting next to `$ref`/`anyOf`: properties and required are unioned. */
export function mergeSchemas(base: JsonSchemaObject, extra: unknown): JsonSchemaObject {
  if (!isRecord(extra)) return base;
  const merged: Record<string, unknown> = { ...base, ...extra };
  if (isRecord(base.properties) && isRecord(extra.properties)) {
    merged.properties = { ...base.properties, ...extra.properties };
  }
  if (Array.isArray(base.required) && Array.isArray(extra.required)) {
    merged.required = [...new Set([...base.required, ...extra.required])];
  }
  return merged;
}

/** A copy of the schema without the given keywords. */
export function withoutKeywords(schema: JsonSchemaObject, ...keywords: string[]): JsonSchemaObject {
  const copy: Record<string, unknown> = { ...schema };
  for (const keyword of keywords) delete copy[keyword];
  return copy;
}
