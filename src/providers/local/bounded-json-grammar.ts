import type { LlamaGrammarOptions } from 'node-llama-cpp';

export interface BoundedJsonGrammarOptions {
  /** The longest string value. @default 600 */
  maxStringLength?: number;
  /** The longest object key. @default 100 */
  maxKeyLength?: number;
}

// the grammar ends the JSON with these newlines and generation stops on them, as node-llama-cpp's
// own JSON-schema grammars do: a weak model may otherwise never pick the end-of-text token
const END_MARKER = '\n\n\n\n';

/**
 * GBNF for any JSON object (JSON mode without a schema), for `llama.createGrammar`.
 *
 * llama.cpp's bundled `json.gbnf` lets strings, keys, digits and whitespace run on forever, so a
 * weak model can spend every token inside one string; here each of them has a bound.
 *
 * @example
 * const grammar = await llama.createGrammar(boundedJsonGrammar({ maxStringLength: 600 }));
 */
export function boundedJsonGrammar({ maxStringLength = 600, maxKeyLength = 100 }: BoundedJsonGrammarOptions = {}): LlamaGrammarOptions {
  const grammar = [
    String.raw`root ::= object "\n\n\n\n" [\n]*`,
    String.raw`value ::= object | array | string | number | "true" | "false" | "null"`,
    String.raw`object ::= "{" space ( key ":" space value ( "," space key ":" space value )* )? space "}"`,
    String.raw`array ::= "[" space ( value ( "," space value )* )? space "]"`,
    String.raw`key ::= "\"" char{0,${Math.max(1, Math.floor(maxKeyLength))}} "\""`,
    String.raw`string ::= "\"" char{0,${Math.max(0, Math.floor(maxStringLength))}} "\""`,
    String.raw`char ::= [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})`,
    String.raw`number ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})?`,
    String.raw`space ::= "" | " " | "\n" [ \t]{0,8}`,
  ].join('\n');
  return { grammar, stopGenerationTriggers: [END_MARKER], trimWhitespaceSuffix: true };
}
