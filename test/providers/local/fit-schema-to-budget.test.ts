import type { JSONSchema7 } from '@ai-sdk/provider';
import { zodSchema } from '@ai-sdk/provider-utils';
import type { GbnfJsonSchema } from 'node-llama-cpp';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { fitSchemaToBudget, worstCaseTokens } from '../../../src/providers/local/fit-schema-to-budget.js';
import { toGrammarJsonSchema } from '../../../src/providers/local/json-schema-grammar.js';

async function grammarSchemaOf(schema: z.ZodType): Promise<GbnfJsonSchema> {
  return toGrammarJsonSchema((await zodSchema(schema).jsonSchema) as JSONSchema7); // what the engine hands the grammar generator
}

const worstCase = (schema: GbnfJsonSchema) => worstCaseTokens(schema as unknown as Record<string, unknown>);

// the orchestrator's plan as the planner sees it: up to ten tasks, every field of every task type, nullable
const Plan = z.object({
  tasks: z
    .array(
      z.object({
        query_type: z.enum(['Billing Inquiry', 'Product Return', 'Status Update']),
        invoice_number: z.string().max(40).nullable(),
        product_name: z.string().max(120).nullable(),
        reason_for_return: z.string().max(500).nullable(),
        order_id: z.string().max(40).nullable(),
      }),
    )
    .max(10),
});

test("the orchestrator's plan allows far more than 1,024 tokens of output; fitted, its longest output fits the budget", async () => {
  const schema = await grammarSchemaOf(Plan);
  const budget = 1_020; // what the engine allows for 1,024 output tokens, the end marker kept aside
  expect(worstCase(schema)).toBeGreaterThan(3 * budget);

  const fitted = fitSchemaToBudget(schema, { maxTokens: budget }) as any;
  expect(worstCase(fitted)).toBeLessThanOrEqual(budget);
  expect(worstCase(fitted)).toBeGreaterThan(0.8 * budget); // shrunk no more than it had to
  const task = fitted.properties.tasks.items.properties;
  // one factor for every bound: fewer tasks, and each string shorter in proportion
  const factor = task.reason_for_return.oneOf[0].maxLength / 450;
  expect(fitted.properties.tasks.maxItems).toBe(Math.ceil(10 * factor));
  expect(task.product_name.oneOf[0].maxLength).toBe(Math.floor(108 * factor));
  expect(task.query_type).toEqual((schema as any).properties.tasks.items.properties.query_type); // an enum has nothing to shrink
});

test('a schema that fits is left as it is', async () => {
  const schema = await grammarSchemaOf(z.object({ title: z.string().max(40), tags: z.array(z.string().max(12)).max(3) }));
  expect(fitSchemaToBudget(schema, { maxTokens: 1_000 })).toEqual(schema);
});

test('minimums are kept even when they alone exceed the budget', async () => {
  const schema = await grammarSchemaOf(z.object({ items: z.array(z.string().min(50).max(400)).min(4).max(8) }));
  const fitted = fitSchemaToBudget(schema, { maxTokens: 40 }) as any;
  expect(fitted.properties.items).toMatchObject({ minItems: 4, maxItems: 4, items: { minLength: 50, maxLength: 50 } });
});

test('arrays without maxItems and open values are bounded too, so the whole output has a longest form', async () => {
  const schema = await grammarSchemaOf(z.object({ notes: z.array(z.string()), extra: z.unknown() }));
  expect(worstCase(schema)).toBe(Number.POSITIVE_INFINITY);
  const fitted = fitSchemaToBudget(schema, { maxTokens: 800 });
  expect(worstCase(fitted)).toBeLessThanOrEqual(800);
});

test('a recursive schema has no longest output and is left as it is', async () => {
  type Node = { name: string; children: Node[] };
  const Node: z.ZodType<Node> = z.object({ name: z.string().max(20), children: z.array(z.lazy(() => Node)).max(3) });
  const schema = await grammarSchemaOf(Node);
  expect(worstCase(schema)).toBe(Number.POSITIVE_INFINITY);
  expect(fitSchemaToBudget(schema, { maxTokens: 400 })).toEqual(schema);
});
