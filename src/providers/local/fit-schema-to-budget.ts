import type { GbnfJsonSchema } from 'node-llama-cpp';

export interface FitSchemaToBudgetOptions {
  /** The most output tokens the fitted schema may need, by `worstCaseTokens`. */
  maxTokens: number;
  /** `maxItems` (and `maxProperties` of maps) given to containers that have none, before fitting. @default 32 */
  unboundedItems?: number;
}

type Schema = Record<string, unknown>;

/**
 * Characters a token carries, assumed when the longest output is counted in tokens. Free text
 * (string contents, numbers) runs about 4 per token in English and 5 in the test model's random
 * text: 2.5 leaves room for other languages. The fixed text around it (keys, quotes, brackets,
 * enum values) must be written exactly, and the random test model spells it out in tokens of
 * 1 or 2 characters: 1.5. Text denser still can be cut off, and then the error says so.
 */
export const CONTENT_CHARACTERS_PER_TOKEN = 2.5;
export const STRUCTURE_CHARACTERS_PER_TOKEN = 1.5;
/** Keys of free-form maps, as `compactJsonGrammar` bounds them. */
export const MAP_KEY_CHARACTERS = 40;
/** The longest number the generator's grammar allows: sign, 16 digits, 16 decimals, an exponent of 16 digits. */
const NUMBER_CHARACTERS = 52;
const INTEGER_CHARACTERS = 35;
/** `"2024-01-31T23:59:59.999+00:00"`, the longest of the formats the generator knows. */
const FORMATTED_STRING_CHARACTERS = 31;

/**
 * Shrinks a grammar schema until the longest JSON it allows fits in `maxTokens`: every
 * string's `maxLength` and every array's `maxItems` are scaled by one factor, the largest that
 * fits (never below a `minLength` or `minItems`).
 *
 * Why: a grammar-bound model stops only when the grammar lets it, and a weak model fills every
 * string to its bound. A schema whose bounds allow more than `maxOutputTokens` (the orchestrator's
 * ten tasks of five fields) is then cut off at the token limit every time, and nothing parses.
 * Bounding the whole output, not each string alone, makes the grammar end the JSON in time.
 *
 * Cost is linear in the schema's size per try, with 30 tries of a bisection. A schema that is
 * unbounded even at the smallest scale (a recursive `$ref`) is returned as it is; one whose
 * minimums alone exceed the budget is returned at its smallest.
 *
 * @example
 * fitSchemaToBudget({ type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 10 }, { maxTokens: 400 })
 * // { type: 'array', items: { type: 'string', maxLength: 309 }, maxItems: 7 }: at most 400 tokens by worstCaseTokens
 */
export function fitSchemaToBudget(schema: GbnfJsonSchema, { maxTokens, unboundedItems = 32 }: FitSchemaToBudgetOptions): GbnfJsonSchema {
  const scaled = (scale: number) => scaleSchema(schema as unknown as Schema, scale, unboundedItems);
  const scale = largestFittingScale((candidate) => worstCaseTokens(scaled(candidate)), maxTokens);
  if (scale === undefined) return schema;
  return scaled(scale) as unknown as GbnfJsonSchema;
}

/**
 * The largest scale in (0, 1] whose measure fits the budget, by bisection (the measure must grow
 * with the scale); the smallest tried when none fits; undefined when even that measures infinite.
 */
export function largestFittingScale(measure: (scale: number) => number, budget: number): number | undefined {
  if (measure(1) <= budget) return 1;
  let low = 0;
  let high = 1;
  for (let step = 0; step < 30; step += 1) {
    const middle = (low + high) / 2;
    if (measure(middle) <= budget) low = middle;
    else high = middle;
  }
  if (low > 0) return low;
  return Number.isFinite(measure(high)) ? high : undefined;
}

/**
 * The most output tokens a JSON value under the schema can take, as `compactJsonGrammar` lets the
 * model write it: fixed text at STRUCTURE_CHARACTERS_PER_TOKEN, free text at
 * CONTENT_CHARACTERS_PER_TOKEN, one optional space between elements. An escape such as `\u00e9`
 * counts as the one character the grammar counts it as. Infinite for an unbounded string or
 * array, or a recursive `$ref`.
 */
export function worstCaseTokens(schema: Schema): number {
  const definitions = asRecord(schema.$defs);
  const visiting = new Set<string>();
  const fixed = (characters: number) => characters / STRUCTURE_CHARACTERS_PER_TOKEN;
  const free = (characters: number) => characters / CONTENT_CHARACTERS_PER_TOKEN;
  const space = fixed(1);

  const measure = (node: unknown): number => {
    if (!isRecord(node)) return Number.POSITIVE_INFINITY;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.replace(/^#\/\$defs\//, '');
      if (visiting.has(name) || !(name in definitions)) return Number.POSITIVE_INFINITY;
      visiting.add(name);
      const size = measure(definitions[name]);
      visiting.delete(name);
      return size;
    }
    if ('const' in node) return fixed(JSON.stringify(node.const).length);
    if (Array.isArray(node.enum)) return Math.max(...node.enum.map((value) => fixed(JSON.stringify(value).length)));
    if (Array.isArray(node.oneOf)) return Math.max(...node.oneOf.map(measure));
    if (Array.isArray(node.type)) return Math.max(...node.type.map((type) => measure({ ...node, type })));
    switch (node.type) {
      case 'string':
        if (typeof node.format === 'string') return fixed(2) + free(FORMATTED_STRING_CHARACTERS);
        return typeof node.maxLength === 'number' ? fixed(2) + free(node.maxLength) : Number.POSITIVE_INFINITY;
      case 'number':
        return free(NUMBER_CHARACTERS);
      case 'integer':
        return free(INTEGER_CHARACTERS);
      case 'boolean':
        return fixed(5);
      case 'null':
        return fixed(4);
      case 'array': {
        const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : [];
        const count = typeof node.maxItems === 'number' ? Math.max(node.maxItems, prefix.length) : Number.POSITIVE_INFINITY;
        const rest = count - prefix.length;
        const items = prefix.reduce((sum: number, item) => sum + measure(item), 0) + (rest > 0 ? rest * measure(node.items) : 0);
        // brackets, a space inside each, and a comma and a space between items
        return fixed(2) + 2 * space + items + Math.max(0, count - 1) * (fixed(1) + space);
      }
      case 'object': {
        const properties = Object.entries(asRecord(node.properties));
        let size = fixed(2) + 2 * space;
        for (const [key, value] of properties) size += fixed(JSON.stringify(key).length + 1) + space + measure(value);
        const additional = node.additionalProperties;
        const mapped = isRecord(additional) ? (typeof node.maxProperties === 'number' ? Math.max(0, node.maxProperties - properties.length) : Number.POSITIVE_INFINITY) : 0;
        if (mapped > 0) size += mapped * (fixed(2) + free(MAP_KEY_CHARACTERS) + fixed(1) + space + measure(additional));
        return size + Math.max(0, properties.length + mapped - 1) * (fixed(1) + space);
      }
      default:
        return Number.POSITIVE_INFINITY;
    }
  };

  return measure(schema);
}

/** A copy of the schema with string and container bounds scaled; containers without a bound get `unboundedItems` first. */
function scaleSchema(node: Schema, scale: number, unboundedItems: number): Schema {
  const scaleNode = (value: unknown): unknown => (isRecord(value) ? scaleSchema(value, scale, unboundedItems) : value);
  const result: Schema = { ...node };
  if (isRecord(node.$defs)) result.$defs = Object.fromEntries(Object.entries(node.$defs).map(([name, value]) => [name, scaleNode(value)]));
  if (Array.isArray(node.oneOf)) result.oneOf = node.oneOf.map(scaleNode);
  if (node.type === 'string' && typeof node.maxLength === 'number') {
    const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
    result.maxLength = Math.max(minLength, Math.floor(node.maxLength * scale));
  }
  if (node.type === 'array') {
    const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : [];
    if (prefix.length > 0) result.prefixItems = prefix.map(scaleNode);
    if (node.items !== undefined) result.items = scaleNode(node.items);
    const floor = Math.max(typeof node.minItems === 'number' ? node.minItems : 0, prefix.length);
    // items round up: a list of one must not become a list of none
    if (node.items !== undefined) result.maxItems = Math.max(floor, Math.ceil((typeof node.maxItems === 'number' ? node.maxItems : unboundedItems) * scale));
  }
  if (node.type === 'object') {
    if (isRecord(node.properties)) result.properties = Object.fromEntries(Object.entries(node.properties).map(([key, value]) => [key, scaleNode(value)]));
    if (isRecord(node.additionalProperties)) {
      result.additionalProperties = scaleNode(node.additionalProperties);
      const fields = isRecord(node.properties) ? Object.keys(node.properties).length : 0;
      const floor = Math.max(typeof node.minProperties === 'number' ? node.minProperties : 0, fields);
      const bound = typeof node.maxProperties === 'number' ? node.maxProperties : fields + unboundedItems;
      result.maxProperties = Math.max(floor, fields + Math.ceil((bound - fields) * scale));
    }
  }
  return result;
}

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Schema {
  return isRecord(value) ? value : {};
}
