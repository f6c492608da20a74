import { expect, test } from 'vitest';
import { z } from 'zod';
import { zodSchema } from '@ai-sdk/provider-utils';
import type { JSONSchema7 } from '@ai-sdk/provider';
import { toGrammarJsonSchema } from '../../../src/providers/local/json-schema-grammar.js';

async function jsonSchemaOf(schema: z.ZodType): Promise<JSONSchema7> {
  return (await zodSchema(schema).jsonSchema) as JSONSchema7; // exactly what the AI SDK sends the model
}

test('strings without a maxLength get the bound; stated bounds keep a tenth in hand; enums stay', async () => {
  const schema = await jsonSchemaOf(
    z.object({ title: z.string().max(40), body: z.string(), kind: z.enum(['bug', 'idea']), score: z.number(), tags: z.array(z.string()) }),
  );
  expect(toGrammarJsonSchema(schema, { maxStringLength: 120 })).toEqual({
    type: 'object',
    properties: {
      title: { type: 'string', maxLength: 36 },
      body: { type: 'string', maxLength: 120 },
      kind: { enum: ['bug', 'idea'] },
      score: { type: 'number' },
      tags: { type: 'array', items: { type: 'string', maxLength: 120 } },
    },
  });
});

test('nullable and type lists become oneOf, each string still bounded', async () => {
  const schema = await jsonSchemaOf(z.object({ note: z.string().nullable() }));
  expect(toGrammarJsonSchema(schema)).toEqual({
    type: 'object',
    properties: { note: { oneOf: [{ type: 'string', maxLength: 600 }, { type: 'null' }] } },
  });
  expect(toGrammarJsonSchema({ type: ['string', 'integer'] })).toEqual({
    oneOf: [{ type: 'string', maxLength: 600 }, { type: 'integer' }],
  });
});

test('keywords the grammar cannot enforce are dropped, formats it knows are kept', () => {
  expect(toGrammarJsonSchema({ type: 'string', pattern: '^a+$', format: 'email', minLength: 3 })).toEqual({
    type: 'string',
    minLength: 3,
    maxLength: 600,
  });
  expect(toGrammarJsonSchema({ type: 'string', format: 'date-time' })).toEqual({ type: 'string', format: 'date-time' });
  expect(toGrammarJsonSchema({ type: 'integer', minimum: 1, maximum: 5 })).toEqual({ type: 'integer' });
});

test('definitions and recursive references become $defs', async () => {
  type Node = { name: string; children: Node[] };
  const Node: z.ZodType<Node> = z.object({ name: z.string(), children: z.array(z.lazy(() => Node)) });
  const converted = toGrammarJsonSchema(await jsonSchemaOf(Node)) as Record<string, unknown>;
  expect(JSON.stringify(converted)).toContain('"$ref":"#/$defs/');
  expect(converted.$defs).toBeDefined();
  const definitions = Object.values(converted.$defs as Record<string, unknown>);
  expect(JSON.stringify(definitions)).toContain('"maxLength":600');
});

test('an open value becomes bounded any-JSON through a shared definition', () => {
  const converted = toGrammarJsonSchema({ type: 'object', properties: { extra: {} } }, { maxStringLength: 50 }) as Record<string, any>;
  expect(converted.properties.extra).toEqual({ $ref: '#/$defs/braidAnyJson' });
  expect(JSON.stringify(converted.$defs.braidAnyJson)).toContain('"maxLength":50');
  // a primitive root cannot carry $defs, so it is wrapped
  const wrapped = toGrammarJsonSchema({ anyOf: [{}] }) as Record<string, any>;
  expect(wrapped.oneOf).toEqual([{ $ref: '#/$defs/braidAnyJson' }]);
  expect(wrapped.$defs.braidAnyJson).toBeDefined();
});
