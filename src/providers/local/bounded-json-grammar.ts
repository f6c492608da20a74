import type { LlamaGrammarOptions } from 'node-llama-cpp';
import { CONTENT_CHARACTERS_PER_TOKEN, largestFittingScale, STRUCTURE_CHARACTERS_PER_TOKEN } from './fit-schema-to-budget.js';

export interface BoundedJsonGrammarOptions {
  /** The longest string value. @default 600 */
  maxStringLength?: number;
  /** The longest object key. @default 100 */
  maxKeyLength?: number;
  /** Entries of one object or array. @default 32 */
  maxItems?: number;
  /**
   * The most output tokens (counted as `worstCaseTokens` counts them): string, key and entry
   * bounds shrink by one factor until the longest JSON the grammar allows fits.
   * @default no limit beyond the bounds above
   */
  maxTokens?: number;
}

// the grammar ends the JSON with these newlines and generation stops on them, as node-llama-cpp's
// own JSON-schema grammars do: a weak model may otherwise never pick the end-of-text token
const END_MARKER = '\n\n\n\n';
/** Containers the JSON may nest, the root object included: an unbounded depth has no longest output. */
const DEPTH = 3;
/** The `number` rule below at its longest. */
const NUMBER_CHARACTERS = 39;

/**
 * GBNF for any JSON object (JSON mode without a schema), for `llama.createGrammar`.
 *
 * llama.cpp's bundled `json.gbnf` lets strings, keys, digits, whitespace, lists and nesting run
 * on forever, so a weak model can spend every token inside one value; here each of them has a
 * bound, and with `maxTokens` the whole output has one. Elements are separated by one optional
 * space, as in `compactJsonGrammar`.
 *
 * @example
 * const grammar = await llama.createGrammar(boundedJsonGrammar({ maxStringLength: 600, maxTokens: 1_000 }));
 */
export function boundedJsonGrammar({
  maxStringLength = 600,
  maxKeyLength = 100,
  maxItems = 32,
  maxTokens = Number.POSITIVE_INFINITY,
}: BoundedJsonGrammarOptions = {}): LlamaGrammarOptions {
  const boundsAt = (scale: number): Bounds => ({
    string: Math.max(0, Math.floor(maxStringLength * scale)),
    key: Math.max(1, Math.floor(maxKeyLength * scale)),
    items: Math.max(1, Math.ceil(maxItems * scale)),
  });
  const scale = largestFittingScale((candidate) => longestOutput(boundsAt(candidate)), maxTokens) ?? 1;
  const bounds = boundsAt(scale);

  const valueRule = (level: number) => (level === 0 ? 'primitive' : `value${level}`);
  const lines = [String.raw`root ::= object${DEPTH} "\n\n\n\n" [\n]*`];
  for (let level = 1; level <= DEPTH; level += 1) {
    const inner = valueRule(level - 1);
    const more = (entry: string) => (bounds.items > 1 ? ` ( "," space ${entry} ){0,${bounds.items - 1}}` : '');
    lines.push(
      `value${level} ::= object${level} | array${level} | primitive`,
      `object${level} ::= "{" space ( key ":" space ${inner}${more(`key ":" space ${inner}`)} )? space "}"`,
      `array${level} ::= "[" space ( ${inner}${more(inner)} )? space "]"`,
    );
  }
  lines.push(
    String.raw`primitive ::= string | number | "true" | "false" | "null"`,
    String.raw`key ::= "\"" char{0,${bounds.key}} "\""`,
    String.raw`string ::= "\"" char{0,${bounds.string}} "\""`,
    String.raw`char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})`,
    String.raw`number ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?`,
    String.raw`space ::= " "?`,
  );
  return { grammar: lines.join('\n'), stopGenerationTriggers: [END_MARKER], trimWhitespaceSuffix: true };
}

interface Bounds {
  string: number;
  key: number;
  items: number;
}

/** The most tokens the grammar above lets the model write, end marker included. */
function longestOutput(bounds: Bounds): number {
  const fixed = (characters: number) => characters / STRUCTURE_CHARACTERS_PER_TOKEN;
  const free = (characters: number) => characters / CONTENT_CHARACTERS_PER_TOKEN;
  const separators = (bounds.items - 1) * fixed(2); // a comma and a space
  let value = Math.max(fixed(2) + free(bounds.string), free(NUMBER_CHARACTERS), fixed(5));
  let object = 0;
  for (let level = 1; level <= DEPTH; level += 1) {
    // brackets and a space inside each; per entry a quoted key, a colon and a space
    object = fixed(4) + bounds.items * (fixed(4) + free(bounds.key) + value) + separators;
    const array = fixed(4) + bounds.items * value + separators;
    value = Math.max(value, object, array);
  }
  return object + fixed(END_MARKER.length);
}
