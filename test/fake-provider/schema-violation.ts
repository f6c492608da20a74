import { isRecord, readTypes, resolveReference, type JsonTypeName } from './json-schema.js';

/** Values of each JSON type, used to swap a valid answer for one of a type the schema forbids. */
const WRONG_VALUES: ReadonlyArray<readonly [JsonTypeName, unknown]> = [
  ['string', 'not what the schema asked for'],
  ['number', 12_345.5], // not whole, so it also breaks `integer`
  ['boolean', true],
  ['array', []],
  ['object', {}],
  ['null', null],
];

/**
 * Turns a valid answer into valid JSON that breaks the schema, the way a model drifts: drops a required
 * field when the answer is an object that has one, otherwise swaps in a value of a forbidden type.
 * Returns `{ isViolated: false }` for schemas that accept anything.
 *
 * @example
 * violateSchema({ type: 'object', required: ['name'] }, { name: 'x' }); // { isViolated: true, value: {} }
 */
export function violateSchema(schema: unknown, value: unknown): { isViolated: boolean; value: unknown } {
  const root = resolveRoot(schema, schema);
  if (isRecord(value) && isRecord(root) && Array.isArray(root.required)) {
    const dropped = root.required.find((name): name is string => typeof name === 'string' && name in value);
    if (dropped !== undefined) {
      const { [dropped]: _removed, ...rest } = value;
      return { isViolated: true, value: rest };
    }
  }
  const allowed = collectTypes(schema, root, 0);
  if (allowed === undefined) return { isViolated: false, value };
  const wrong = WRONG_VALUES.find(([type]) => !allowed.has(type));
  if (wrong === undefined) return { isViolated: false, value };
  return { isViolated: true, value: wrong[1] };
}

function resolveRoot(schema: unknown, node: unknown, depth = 0): unknown {
  if (depth > 16 || !isRecord(node) || typeof node.$ref !== 'string') return node;
  return resolveRoot(schema, resolveReference(schema, node.$ref), depth + 1);
}

/** The JSON types a schema accepts, or undefined when it accepts every type. */
function collectTypes(schema: unknown, node: unknown, depth: number): Set<JsonTypeName> | undefined {
  const resolved = resolveRoot(schema, node);
  if (depth > 16 || !isRecord(resolved)) return resolved === false ? new Set() : undefined;
  const alternatives = Array.isArray(resolved.anyOf) ? resolved.anyOf : Array.isArray(resolved.oneOf) ? resolved.oneOf : undefined;
  if (alternatives !== undefined) {
    const union = new Set<JsonTypeName>();
    for (const alternative of alternatives) {
      const types = collectTypes(schema, alternative, depth + 1);
      if (types === undefined) return undefined;
      for (const type of types) union.add(type);
    }
    return union;
  }
  const values = 'const' in resolved ? [resolved.const] : Array.isArray(resolved.enum) ? resolved.enum : undefined;
  const types = new Set<JsonTypeName>(values !== undefined ? values.map(typeOfJson) : readTypes(resolved));
  if (types.size === 0) return undefined;
  if (resolved.nullable === true) types.add('null');
  return types;
}

function typeOfJson(value: unknown): JsonTypeName {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}
