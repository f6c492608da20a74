import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createSeededRandom, createValueFromSchema } from './index.js';
import { violateSchema } from './schema-violation.js';

const SEEDS = Array.from({ length: 40 }, (_, index) => index + 1);

/** Generates with many seeds, so a constraint that holds only by luck fails here. */
function valuesFor(schema: unknown): unknown[] {
  return SEEDS.map((seed) => createValueFromSchema(schema, createSeededRandom(seed)));
}

const JSON_SCHEMAS: Record<string, object> = {
  'string bounds, formats and enums': {
    type: 'object',
    properties: {
      short: { type: 'string', minLength: 2, maxLength: 4 },
      long: { type: 'string', minLength: 30 },
      email: { type: 'string', format: 'email' },
      when: { type: 'string', format: 'date-time' },
      id: { type: 'string', format: 'uuid' },
      choice: { enum: ['red', 'green'] },
      fixed: { const: 'exact' },
    },
    required: ['short', 'long', 'email', 'when', 'id', 'choice', 'fixed'],
    additionalProperties: false,
  },
  'numbers: exclusive bounds, multipleOf, negative ranges': {
    type: 'object',
    properties: {
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      step: { type: 'integer', minimum: 10, maximum: 60, multipleOf: 15 },
      below: { type: 'integer', maximum: -500 },
      above: { type: 'number', minimum: 1e6 },
      tight: { type: 'integer', exclusiveMinimum: 4, exclusiveMaximum: 6 },
    },
    required: ['ratio', 'step', 'below', 'above', 'tight'],
  },
  'arrays: bounds, uniqueness, tuples': {
    type: 'object',
    properties: {
      exactly: { type: 'array', items: { type: 'boolean' }, minItems: 2, maxItems: 2, uniqueItems: true },
      many: { type: 'array', items: { type: 'integer' }, minItems: 5 },
      none: { type: 'array', items: { type: 'string' }, maxItems: 0 },
      pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false, minItems: 2 },
    },
    required: ['exactly', 'many', 'none', 'pair'],
  },
  'anyOf, allOf, type lists and recursive $ref': {
    $defs: {
      node: {
        type: 'object',
        properties: { label: { type: ['string', 'null'] }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        required: ['label', 'children'],
        additionalProperties: false,
      },
    },
    type: 'object',
    properties: {
      tree: { $ref: '#/$defs/node' },
      either: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 1 }] },
      both: { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer' } }, required: ['b'] }] },
      map: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
    },
    required: ['tree', 'either', 'both', 'map'],
  },
};

describe('createValueFromSchema', () => {
  test.each(Object.entries(JSON_SCHEMAS))('%s: every value is valid', (_name, schema) => {
    const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    for (const value of valuesFor(schema)) expect(validator.safeParse(value)).toMatchObject({ success: true });
  });

  test('zod 4 schemas, as the AI SDK sends them, always get valid values', () => {
    const Order = z.object({
      id: z.uuid(),
      placed: z.iso.date(),
      customer: z.object({ email: z.email(), vip: z.boolean() }),
      lines: z.array(z.object({ sku: z.string().min(3).max(8), quantity: z.number().int().min(1).max(9) })).min(1).max(3),
      status: z.enum(['open', 'shipped']).nullable(),
      discount: z.number().min(0).max(0.5).optional(),
    });
    for (const value of valuesFor(z.toJSONSchema(Order))) expect(Order.safeParse(value)).toMatchObject({ success: true });
  });

  test("Gemini's OpenAPI subset: upper-case types, nullable, int64 strings", () => {
    const schema = {
      type: 'OBJECT',
      properties: {
        name: { type: 'STRING', maxLength: '5' },
        count: { type: 'INTEGER', minimum: 2, maximum: 4 },
        tags: { type: 'ARRAY', items: { type: 'STRING', enum: ['a', 'b'] }, minItems: '2', maxItems: '2' },
        maybe: { type: 'NUMBER', nullable: true },
      },
      required: ['name', 'count', 'tags', 'maybe'],
    };
    const Expected = z.object({
      name: z.string().max(5),
      count: z.number().int().min(2).max(4),
      tags: z.array(z.enum(['a', 'b'])).length(2),
      maybe: z.number().nullable(),
    });
    for (const value of valuesFor(schema)) expect(Expected.safeParse(value)).toMatchObject({ success: true });
  });

  test("constraints @ai-sdk/anthropic moved into descriptions are still honoured", () => {
    const schema = {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, description: 'Some tags\nmin items: 4; max items: 5.' },
        score: { type: 'integer', description: 'minimum: 90; maximum: 95.' },
      },
      required: ['tags', 'score'],
      additionalProperties: false,
    };
    const Expected = z.object({ tags: z.array(z.string()).min(4).max(5), score: z.number().int().min(90).max(95) });
    for (const value of valuesFor(schema)) expect(Expected.safeParse(value)).toMatchObject({ success: true });
  });

  test('the same seed gives the same value, and seeds give varied values', () => {
    const schema = z.toJSONSchema(z.object({ word: z.string(), amount: z.number() }));
    expect(createValueFromSchema(schema, createSeededRandom(3))).toEqual(createValueFromSchema(schema, createSeededRandom(3)));
    expect(new Set(valuesFor(schema).map((value) => JSON.stringify(value))).size).toBeGreaterThan(30);
  });
});

describe('violateSchema', () => {
  test('drops a required field from objects, or swaps in a forbidden type', () => {
    const Shape = z.object({ name: z.string(), size: z.number() });
    const schema = z.toJSONSchema(Shape);
    const violated = violateSchema(schema, { name: 'a', size: 1 });
    expect(violated.isViolated).toBe(true);
    expect(Shape.safeParse(violated.value).success).toBe(false);

    const Count = z.number().int();
    const count = violateSchema(z.toJSONSchema(Count), 3);
    expect(Count.safeParse(count.value).success).toBe(false);
  });

  test('a schema that accepts anything cannot be violated', () => {
    expect(violateSchema({}, { any: 'thing' })).toEqual({ isViolated: false, value: { any: 'thing' } });
  });
});
