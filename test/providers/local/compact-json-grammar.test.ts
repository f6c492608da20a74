import { getLlama, type GbnfJsonSchema, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compactJsonGrammar } from '../../../src/providers/local/compact-json-grammar.js';

let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
});
afterAll(() => llama.dispose());

// the rewrite matches node-llama-cpp's rule names: this fails if an upgrade renames them
test("node-llama-cpp's JSON grammar loses its line breaks and unbounded map keys, and stays a valid grammar", async () => {
  const schema = {
    type: 'object',
    properties: {
      tasks: { type: 'array', items: { type: 'object', properties: { id: { type: 'string', maxLength: 10 } } }, maxItems: 3 },
      labels: { type: 'object', additionalProperties: { type: 'boolean' }, maxProperties: 2 },
    },
  } as GbnfJsonSchema;
  const generated = (await llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema)).grammar;
  expect(generated).toMatch(/whitespace-b-2-4-rule ::= \[\\n\]/); // what the generator writes
  expect(generated).toContain('string-char-rule*');

  const compact = compactJsonGrammar(generated);
  // only the end marker still writes line breaks
  expect(compact.replace('"\\n\\n\\n\\n" [\\n]*', '')).not.toMatch(/\\n/);
  expect(compact).not.toContain('string-char-rule*');
  expect(compact).toContain('string-rule ::= "\\"" ( string-char-rule ){0,40} "\\""');
  await expect(llama.createGrammar({ grammar: compact })).resolves.toBeDefined();
});
