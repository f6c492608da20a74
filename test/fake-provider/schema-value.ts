import {
  isRecord,
  mergeSchemas,
  readNumber,
  readTypes,
  resolveReference,
  withDescriptionConstraints,
  withoutKeywords,
  type JsonSchemaObject,
  type JsonTypeName,
} from './json-schema.js';
import { loremWord, loremWords } from './lorem.js';
import type { SeededRandom } from './seeded-random.js';

/** Past this depth recursive schemas stop growing: optional parts are left out, arrays take their minimum. */
const SHALLOW_DEPTH = 6;
/** A schema that requires itself forever cannot be satisfied; give up with null rather than overflow. */
const MAX_DEPTH = 48;
/** Zod 4 gives every `z.number().int()` safe-integer bounds; numbers land in this range when bounds allow. */
const DEFAULT_RANGE = { low: 0, high: 100 };

/**
 * Generates a value that is valid against a JSON Schema (or Gemini's OpenAPI subset), deterministic for
 * a given random source. Supports object, array, string (enum, const, length, common formats), number,
 * integer, boolean, null, anyOf/oneOf/allOf, nullable, type lists and local `$ref`s. `pattern` is not
 * honoured.
 *
 * @example
 * createValueFromSchema({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
 *   createSeededRandom(7)); // { name: 'dolor sit' }
 */
export function createValueFromSchema(schema: unknown, random: SeededRandom): unknown {
  const generate = (node: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) return null;
    if (node === undefined || node === true) return loremWords(random, 2); // any value is valid
    if (!isRecord(node)) return null;
    const current = withDescriptionConstraints(node);

    if (typeof current.$ref === 'string') {
      const target = resolveReference(schema, current.$ref);
      const siblings = withoutKeywords(current, '$ref', 'description');
      const resolved = isRecord(target) && Object.keys(siblings).length > 0 ? mergeSchemas(target, siblings) : target;
      return generate(resolved, depth + 1);
    }
    if ('const' in current) return current.const;
    if (Array.isArray(current.enum) && current.enum.length > 0) return random.pick(current.enum);
    if (Array.isArray(current.allOf)) {
      const merged = current.allOf.reduce<JsonSchemaObject>(mergeSchemas, withoutKeywords(current, 'allOf'));
      return generate(merged, depth + 1);
    }
    const alternatives = Array.isArray(current.anyOf) ? current.anyOf : Array.isArray(current.oneOf) ? current.oneOf : undefined;
    if (alternatives !== undefined && alternatives.length > 0) {
      const rest = withoutKeywords(current, 'anyOf', 'oneOf', 'description');
      const chosen = pickAlternative(alternatives, depth);
      return generate(isRecord(chosen) && Object.keys(rest).length > 0 ? mergeSchemas(rest, chosen) : chosen, depth + 1);
    }
    if (current.nullable === true && (depth >= SHALLOW_DEPTH || random.chance(0.25))) return null;

    switch (pickType(current, depth)) {
      case 'null':
        return null;
      case 'boolean':
        return random.chance(0.5);
      case 'integer':
        return generateNumber(current, true);
      case 'number':
        return generateNumber(current, false);
      case 'array':
        return generateArray(current, depth);
      case 'object':
        return generateObject(current, depth);
      case 'string':
        return generateString(current);
    }
  };

  // a nullable branch is valid, but mostly-null answers would make poor test data
  const pickAlternative = (alternatives: readonly unknown[], depth: number): unknown => {
    const isNull = (alternative: unknown): boolean =>
      isRecord(alternative) && readTypes(alternative).length === 1 && readTypes(alternative)[0] === 'null';
    const others = alternatives.filter((alternative) => !isNull(alternative));
    const nullBranch = alternatives.find(isNull);
    if (nullBranch !== undefined && (others.length === 0 || depth >= SHALLOW_DEPTH || random.chance(0.25))) return nullBranch;
    return random.pick(others);
  };

  const pickType = (node: JsonSchemaObject, depth: number): JsonTypeName => {
    const types = readTypes(node);
    if (types.length > 0) {
      const others = types.filter((type) => type !== 'null');
      if (others.length === 0 || (types.includes('null') && (depth >= SHALLOW_DEPTH || random.chance(0.25)))) return 'null';
      return random.pick(others);
    }
    // untyped schemas: infer from the keywords present
    if (node.properties !== undefined || node.required !== undefined || node.additionalProperties !== undefined) return 'object';
    if (node.items !== undefined || node.prefixItems !== undefined) return 'array';
    if (node.minimum !== undefined || node.maximum !== undefined || node.multipleOf !== undefined) return 'number';
    return 'string';
  };

  const generateObject = (node: JsonSchemaObject, depth: number): Record<string, unknown> => {
    const properties = isRecord(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? node.required.filter((name) => typeof name === 'string') : []);
    const additional = node.additionalProperties;
    const result: Record<string, unknown> = {};
    for (const [name, propertySchema] of Object.entries(properties)) {
      if (required.has(name) || (depth < SHALLOW_DEPTH && random.chance(0.5))) {
        result[name] = generate(propertySchema, depth + 1);
      }
    }
    for (const name of required) {
      if (!(name in result)) result[name] = generate(isRecord(additional) ? additional : true, depth + 1);
    }
    // a map (`z.record`) has no properties: give it a couple of entries so it is not trivially empty
    if (Object.keys(properties).length === 0 && additional !== false && depth < SHALLOW_DEPTH) {
      const count = random.integer(1, 2);
      for (let index = 0; index < count; index += 1) {
        result[`${loremWord(random)}${index}`] = generate(isRecord(additional) ? additional : true, depth + 1);
      }
    }
    return result;
  };

  const generateArray = (node: JsonSchemaObject, depth: number): unknown[] => {
    const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : [];
    const itemSchema = Array.isArray(node.items) ? (node.additionalItems ?? true) : (node.items ?? true);
    const minItems = readNumber(node, 'minItems');
    const isClosedTuple = itemSchema === false; // `items: false` after prefixItems: nothing beyond the tuple
    const maxItems = Math.min(readNumber(node, 'maxItems') ?? Number.POSITIVE_INFINITY, isClosedTuple ? prefix.length : Number.POSITIVE_INFINITY);
    let count: number;
    if (depth >= SHALLOW_DEPTH) {
      count = Math.min(Math.max(minItems ?? 0, 0), maxItems);
    } else {
      const low = Math.min(Math.max(minItems ?? 1, 1, prefix.length), maxItems);
      const high = Math.min(maxItems, Math.max(low, 3));
      count = random.integer(low, high);
    }
    const items: unknown[] = [];
    const seen = new Set<string>();
    const isUnique = node.uniqueItems === true;
    // uniqueItems: retry a few times, then accept fewer items only if the minimum still holds
    for (let attempt = 0; items.length < count && attempt < count * 8 + 8; attempt += 1) {
      const index = items.length;
      const item = generate(index < prefix.length ? prefix[index] : itemSchema, depth + 1);
      const key = JSON.stringify(item);
      if (isUnique && seen.has(key)) continue;
      seen.add(key);
      items.push(item);
    }
    return items;
  };

  const generateString = (node: JsonSchemaObject): string => {
    const minLength = Math.max(0, readNumber(node, 'minLength') ?? 0);
    const maxLength = readNumber(node, 'maxLength');
    const formatted = typeof node.format === 'string' ? formatString(node.format.toLowerCase(), random) : undefined;
    if (formatted !== undefined && formatted.length >= minLength && (maxLength === undefined || formatted.length <= maxLength)) {
      return formatted;
    }
    let text = loremWords(random, random.integer(1, 4));
    while (text.length < minLength) text = `${text} ${loremWord(random)}`;
    if (maxLength !== undefined && text.length > maxLength) {
      text = text.slice(0, Math.max(0, maxLength));
      if (text.endsWith(' ')) text = `${text.slice(0, -1)}a`; // keep it one visible token, not trailing space
    }
    return text;
  };

  const generateNumber = (node: JsonSchemaObject, isInteger: boolean): number => {
    const { low, high, isLowExclusive, isHighExclusive } = readBounds(node);
    const isWithin = (value: number): boolean =>
      (isLowExclusive ? value > low : value >= low) && (isHighExclusive ? value < high : value <= high);
    let rangeLow = Math.max(low, DEFAULT_RANGE.low);
    let rangeHigh = Math.min(high, DEFAULT_RANGE.high);
    if (rangeLow > rangeHigh) {
      // bounds lie wholly outside the default range: stay near the bound that is finite
      if (high < DEFAULT_RANGE.low) {
        rangeHigh = high;
        rangeLow = Math.max(low, high - 100);
      } else {
        rangeLow = low;
        rangeHigh = Math.min(high, low + 100);
      }
    }
    const multipleOf = readNumber(node, 'multipleOf');
    const step = multipleOf !== undefined && multipleOf > 0 ? multipleOf : isInteger ? 1 : undefined;
    if (step !== undefined) {
      let first = Math.ceil(rangeLow / step);
      let last = Math.floor(rangeHigh / step);
      if (!isWithin(first * step)) first += 1;
      if (!isWithin(last * step)) last -= 1;
      if (isInteger && !Number.isInteger(step)) {
        // a fractional multipleOf on an integer: walk to a multiple that is also whole
        for (let multiple = first; multiple <= last; multiple += 1) {
          if (Number.isInteger(Number((multiple * step).toFixed(10)))) return Number((multiple * step).toFixed(10));
        }
      }
      if (first > last) return Number((first * step).toFixed(10)); // unsatisfiable bounds: best effort
      return Number((random.integer(first, last) * step).toFixed(10));
    }
    const value = Math.round((rangeLow + (rangeHigh - rangeLow) * random.next()) * 100) / 100;
    if (isWithin(value)) return value;
    return (rangeLow + rangeHigh) / 2; // strictly inside whenever low < high
  };

  return generate(schema, 0);
}

function readBounds(node: JsonSchemaObject): { low: number; high: number; isLowExclusive: boolean; isHighExclusive: boolean } {
  let low = readNumber(node, 'minimum') ?? Number.NEGATIVE_INFINITY;
  let high = readNumber(node, 'maximum') ?? Number.POSITIVE_INFINITY;
  let isLowExclusive = false;
  let isHighExclusive = false;
  const exclusiveMinimum = node.exclusiveMinimum;
  const exclusiveMaximum = node.exclusiveMaximum;
  if (exclusiveMinimum === true) isLowExclusive = true; // draft-04 boolean form
  else if (typeof exclusiveMinimum === 'number' && exclusiveMinimum >= low) {
    low = exclusiveMinimum;
    isLowExclusive = true;
  }
  if (exclusiveMaximum === true) isHighExclusive = true;
  else if (typeof exclusiveMaximum === 'number' && exclusiveMaximum <= high) {
    high = exclusiveMaximum;
    isHighExclusive = true;
  }
  return { low, high, isLowExclusive, isHighExclusive };
}

function formatString(format: string, random: SeededRandom): string | undefined {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const hex = (length: number): string =>
    Array.from({ length }, () => random.integer(0, 15).toString(16)).join('');
  const date = (): string => `${random.integer(2020, 2025)}-${pad(random.integer(1, 12))}-${pad(random.integer(1, 28))}`;
  const time = (): string => `${pad(random.integer(0, 23))}:${pad(random.integer(0, 59))}:${pad(random.integer(0, 59))}`;
  switch (format) {
    case 'date-time':
      return `${date()}T${time()}Z`;
    case 'date':
      return date();
    case 'time':
      return `${time()}Z`;
    case 'duration':
      return `P${random.integer(1, 30)}D`;
    case 'email':
      return `${loremWord(random)}.${loremWord(random)}@example.com`;
    case 'hostname':
      return `${loremWord(random)}.example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${loremWord(random)}`;
    case 'uuid':
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${random.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
    case 'ipv4':
      return Array.from({ length: 4 }, () => random.integer(1, 254)).join('.');
    case 'ipv6':
      return Array.from({ length: 8 }, () => hex(4)).join(':');
    default:
      return undefined;
  }
}
