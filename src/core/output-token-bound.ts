/** A JSON Schema node, as `z.toJSONSchema` writes it. */
interface SchemaNode {
  type?: string | string[];
  maxLength?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

/** Characters per token of JSON output, on the low side, so the bound stays a bound for most text. */
const CHARACTERS_PER_TOKEN = 3;
/** Quotes, colon, comma, brackets around a value. */
const PUNCTUATION_TOKENS = 2;

/**
 * The most tokens a JSON value valid against `schema` can take, from its string lengths, enum
 * values and array sizes; `Infinity` where the schema leaves something unbounded. The cost cap
 * estimates a call's output by it before the call, instead of assuming the whole output cap.
 *
 * O(size of the schema). Refs and pattern-only strings count as unbounded.
 */
export function outputTokenBound(schema: unknown): number {
  return boundOf(schema as SchemaNode);
}

function boundOf(node: SchemaNode | undefined): number {
  if (!node || typeof node !== 'object') return Number.POSITIVE_INFINITY;
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return Math.max(0, ...alternatives.map(boundOf));
  if (node.const !== undefined) return tokensOfText(JSON.stringify(node.const));
  if (node.enum) return Math.max(0, ...node.enum.map((value) => tokensOfText(JSON.stringify(value) ?? '')));
  const type = Array.isArray(node.type) ? node.type.find((candidate) => candidate !== 'null') : node.type;
  switch (type) {
    case 'string':
      return node.maxLength === undefined ? Number.POSITIVE_INFINITY : tokensOfText('x'.repeat(node.maxLength));
    case 'number':
    case 'integer':
      return 8;
    case 'boolean':
    case 'null':
      return 2;
    case 'array':
      return node.maxItems === undefined ? Number.POSITIVE_INFINITY : PUNCTUATION_TOKENS + node.maxItems * boundOf(node.items);
    case 'object': {
      let total = PUNCTUATION_TOKENS;
      for (const [key, property] of Object.entries(node.properties ?? {})) total += tokensOfText(key) + boundOf(property);
      return total;
    }
    default:
      return Number.POSITIVE_INFINITY;
  }
}

function tokensOfText(text: string): number {
  return PUNCTUATION_TOKENS + Math.ceil(text.length / CHARACTERS_PER_TOKEN);
}
