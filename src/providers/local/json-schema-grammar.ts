import type { JSONSchema7 } from '@ai-sdk/provider';
import type { GbnfJsonSchema } from 'node-llama-cpp';

export interface JsonSchemaGrammarOptions {
  /**
   * The `maxLength` given to every generated string that has none.
   * @default 600
   */
  maxStringLength?: number;
}

type Schema = Record<string, unknown>;
type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

const ANY_JSON = 'braidAnyJson';
/** Containers an open value may nest: enough for the metadata a model writes there. */
const ANY_JSON_DEPTH = 3;
const ROOT = 'braidRoot';
const ANY_JSON_REFERENCE = { $ref: `#/$defs/${ANY_JSON}` } as unknown as GbnfJsonSchema;
const PRIMITIVE_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);

/**
 * Turns a JSON schema (as the AI SDK sends it, draft 7) into the subset node-llama-cpp's GBNF
 * generator supports, and bounds every string.
 *
 * Why bound: under a grammar a weak model may keep writing one string until it runs out of
 * tokens, so every string without a `maxLength` gets `maxStringLength`. Keywords the generator
 * cannot enforce (`pattern`, `minimum`, other formats) are dropped: the caller's schema
 * validation still checks them. `anyOf`/`oneOf`/type lists become `oneOf`, `definitions` and
 * `$defs` become `$defs`, and `{}` / `true` become a bounded "any JSON" value.
 *
 * @example
 * toGrammarJsonSchema({ type: 'object', properties: { name: { type: 'string' } } })
 * // { type: 'object', properties: { name: { type: 'string', maxLength: 600 } } }
 */
export function toGrammarJsonSchema(schema: JSONSchema7, { maxStringLength = 600 }: JsonSchemaGrammarOptions = {}): GbnfJsonSchema {
  const root = schema as Schema;
  const sourceDefinitions: Record<string, unknown> = {
    ...asRecord(root.definitions),
    ...asRecord(root.$defs),
    [ROOT]: root,
  };
  const definitions = new Map<string, GbnfJsonSchema>();
  const pending: string[] = [];
  const state = { needsAnyJson: false };

  const reference = (name: string): GbnfJsonSchema => {
    if (!definitions.has(name) && !pending.includes(name)) pending.push(name);
    return { $ref: `#/$defs/${name}` } as unknown as GbnfJsonSchema;
  };

  const anyJson = (): GbnfJsonSchema => {
    state.needsAnyJson = true;
    return ANY_JSON_REFERENCE;
  };

  const convert = (definition: unknown): GbnfJsonSchema => {
    if (definition === false) return { type: 'null' };
    if (!isRecord(definition)) return anyJson();
    const node = definition;
    const description = typeof node.description === 'string' ? { description: node.description } : {};

    if (typeof node.$ref === 'string') {
      const name = referencedName(node.$ref);
      return name !== undefined && name in sourceDefinitions ? reference(name) : anyJson();
    }
    if (node.const !== undefined) return isPrimitive(node.const) ? { const: node.const, ...description } : anyJson();
    if (Array.isArray(node.enum)) {
      const values = node.enum.filter(isPrimitive);
      return values.length > 0 ? { enum: values, ...description } : anyJson();
    }
    const alternatives = (Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined) as unknown[] | undefined;
    if (alternatives) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = node;
      // keywords beside anyOf (a shared `type`, `description`) apply to each alternative
      const shared = Object.keys(rest).some((key) => key !== 'description') ? rest : {};
      return oneOf(alternatives.map((alternative) => convert(mergeSchemas([shared, alternative]))), description);
    }
    if (Array.isArray(node.allOf)) {
      const { allOf, ...rest } = node;
      return convert(mergeSchemas([rest, ...(allOf as unknown[])]));
    }
    if (Array.isArray(node.type)) {
      const types = node.type.filter((type): type is string => typeof type === 'string' && PRIMITIVE_TYPES.has(type));
      return oneOf(types.map((type) => convert({ ...node, type })), description);
    }

    const type = typeof node.type === 'string' ? node.type : inferType(node);
    switch (type) {
      case 'string':
        return convertString(node, description);
      case 'number':
      case 'integer':
      case 'boolean':
      case 'null':
        return { type, ...description };
      case 'array':
        return convertArray(node, description);
      case 'object':
        return convertObject(node, description);
      default:
        return anyJson();
    }
  };

  const convertString = (node: Schema, description: object): GbnfJsonSchema => {
    if (node.format === 'date-time' || node.format === 'date' || node.format === 'time') {
      return { type: 'string', format: node.format, ...description };
    }
    const minLength = typeof node.minLength === 'number' ? Math.max(0, Math.floor(node.minLength)) : 0;
    // the grammar counts characters, zod counts UTF-16 units: an emoji is one and two, so the
    // grammar's bound keeps a tenth in hand or an answer at the limit fails validation
    const maxLength = typeof node.maxLength === 'number' ? Math.floor(node.maxLength * 0.9) : maxStringLength;
    return { type: 'string', ...(minLength > 0 ? { minLength } : {}), maxLength: Math.max(minLength, maxLength), ...description };
  };

  const convertArray = (node: Schema, description: object): GbnfJsonSchema => {
    const result: Mutable<Extract<GbnfJsonSchema, { type: 'array' }>> = { type: 'array', ...description };
    const prefixItems = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : undefined;
    if (prefixItems) result.prefixItems = prefixItems.map(convert);
    const items = Array.isArray(node.items) ? node.additionalItems : node.items;
    if (items !== undefined && items !== false) result.items = convert(items);
    else if (!prefixItems) result.items = anyJson();
    if (typeof node.minItems === 'number') result.minItems = node.minItems;
    if (typeof node.maxItems === 'number') result.maxItems = node.maxItems;
    else if (prefixItems && (items === undefined || items === false)) result.maxItems = prefixItems.length;
    return result;
  };

  const convertObject = (node: Schema, description: object): GbnfJsonSchema => {
    const properties = asRecord(node.properties);
    const names = Object.keys(properties);
    const result: Mutable<Extract<GbnfJsonSchema, { type: 'object' }>> = { type: 'object', ...description };
    if (names.length > 0) {
      // the generator writes every listed property, so optional ones appear too: still valid
      result.properties = Object.fromEntries(names.map((name) => [name, convert(properties[name])]));
      if (isRecord(node.additionalProperties)) result.additionalProperties = convert(node.additionalProperties);
      return result;
    }
    result.additionalProperties = node.additionalProperties === false ? false : convert(node.additionalProperties ?? true);
    if (typeof node.minProperties === 'number') result.minProperties = node.minProperties;
    if (typeof node.maxProperties === 'number') result.maxProperties = node.maxProperties;
    return result;
  };

  const converted = convert(stripDefinitions(root));
  const $defs: Record<string, GbnfJsonSchema> = {};
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    const source = name === ROOT ? stripDefinitions(root) : sourceDefinitions[name];
    definitions.set(name, convert(source));
  }
  for (const [name, definition] of definitions) $defs[name] = definition;
  if (state.needsAnyJson) Object.assign($defs, anyJsonDefinitions(maxStringLength));
  if (Object.keys($defs).length === 0) return converted;
  return attachDefinitions(converted, $defs);
}

/**
 * Any JSON value, nested at most ANY_JSON_DEPTH containers deep, with every string bounded, as
 * one definition per level: a recursive "any JSON" would have no longest output, so the output
 * budget could not be fitted around it. (Keys of the objects stay unbounded: the generator allows
 * no bound there.)
 */
function anyJsonDefinitions(maxStringLength: number): Record<string, GbnfJsonSchema> {
  const definitions: Record<string, GbnfJsonSchema> = {};
  const nameOf = (level: number) => (level === ANY_JSON_DEPTH ? ANY_JSON : `${ANY_JSON}${level}`);
  for (let level = 0; level <= ANY_JSON_DEPTH; level += 1) {
    const primitives = [{ type: 'string', maxLength: maxStringLength }, { type: ['number', 'boolean', 'null'] }];
    const below = { $ref: `#/$defs/${nameOf(level - 1)}` };
    const containers = level === 0 ? [] : [{ type: 'array', items: below }, { type: 'object', additionalProperties: below }];
    definitions[nameOf(level)] = { oneOf: [...primitives, ...containers] } as unknown as GbnfJsonSchema;
  }
  return definitions;
}

function attachDefinitions(schema: GbnfJsonSchema, $defs: Record<string, GbnfJsonSchema>): GbnfJsonSchema {
  // only objects, arrays, oneOf and $ref may carry $defs; anything else gets wrapped in a one-way oneOf
  const node = schema as Schema;
  if (node.type === 'object' || node.type === 'array' || Array.isArray(node.oneOf)) {
    return { ...node, $defs: { ...asRecord(node.$defs), ...$defs } } as unknown as GbnfJsonSchema;
  }
  return { oneOf: [schema], $defs } as unknown as GbnfJsonSchema;
}

function oneOf(alternatives: GbnfJsonSchema[], description: object): GbnfJsonSchema {
  if (alternatives.length === 1) return alternatives[0]!;
  if (alternatives.length === 0) return { type: 'null' };
  return { oneOf: alternatives, ...description } as GbnfJsonSchema;
}

function mergeSchemas(parts: unknown[]): Schema {
  const merged: Schema = {};
  for (const part of parts) {
    if (!isRecord(part)) continue;
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties') merged.properties = { ...asRecord(merged.properties), ...asRecord(value) };
      else if (key === 'required' && Array.isArray(value)) {
        merged.required = [...(Array.isArray(merged.required) ? merged.required : []), ...value];
      } else merged[key] = value;
    }
  }
  return merged;
}

function inferType(node: Schema): string | undefined {
  if (node.properties !== undefined || node.additionalProperties !== undefined) return 'object';
  if (node.items !== undefined || node.prefixItems !== undefined) return 'array';
  if (node.maxLength !== undefined || node.minLength !== undefined) return 'string';
  return undefined;
}

function referencedName(reference: string): string | undefined {
  if (reference === '#') return ROOT;
  const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(reference);
  return match ? decodeURIComponent(match[1]!).replaceAll('~1', '/').replaceAll('~0', '~') : undefined;
}

function stripDefinitions(schema: Schema): Schema {
  const { definitions: _definitions, $defs: _defs, $schema: _schema, ...rest } = schema;
  return rest;
}

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Schema {
  return isRecord(value) ? value : {};
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
