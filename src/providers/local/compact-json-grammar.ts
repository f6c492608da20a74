import { MAP_KEY_CHARACTERS } from './fit-schema-to-budget.js';

/**
 * node-llama-cpp's JSON-schema GBNF (`(await llama.createGrammarForJsonSchema(schema)).grammar`),
 * rewritten so that its longest output is the one `worstCaseTokens` counts:
 * - between elements, one optional space, not a line break and up to 4 spaces per level: a
 *   weak model spends tokens on indentation, and the generator's own `allowNewLines: false`
 *   is not reachable through node-llama-cpp's exports;
 * - keys of free-form maps, which the generator leaves unbounded (`string-rule`), at most
 *   MAP_KEY_CHARACTERS long. Every string value braid asks for has a `maxLength`, so
 *   `string-rule` names only those keys.
 *
 * The rule names are node-llama-cpp 3.21's; a test checks that the rewrite still takes.
 *
 * @example compactJsonGrammar('ws-rule…\nwhitespace-b-1-4-rule ::= [\\n] ("    " | "\\t") | [ ]?') // '…whitespace-b-1-4-rule ::= [ ]?'
 */
export function compactJsonGrammar(grammar: string): string {
  return grammar
    .split('\n')
    .map((line) => {
      const whitespace = /^((comma-)?whitespace-[a-z0-9-]+-rule) ::= /.exec(line);
      if (whitespace) return `${whitespace[1]} ::= ${whitespace[2] ? '"," ' : ''}[ ]?`;
      if (line.startsWith('string-rule ::= ')) return `string-rule ::= "\\"" ( string-char-rule ){0,${MAP_KEY_CHARACTERS}} "\\""`;
      return line;
    })
    .join('\n');
}
