import { generateText, Output } from 'ai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createModel, createRuntime, InvalidOutputError } from '../../../src/index.js';
import { createLocalEngine, type LocalEngine } from '../../../src/providers/local/local-engine.js';
import { testModelFile } from '../../support/test-model-file.js';

// The random-weight test model is the worst case the grammar must hold: it almost never picks a
// closing quote, so it fills every string to its bound. Only structure is asserted.
let engine: LocalEngine;
beforeAll(() => {
  engine = createLocalEngine({ env: { BRAID_LOCAL_MODEL: testModelFile(), BRAID_OFFLINE: '1' }, sequences: 2, contextSize: 2048 });
});
afterAll(() => engine.dispose());

// the orchestrator's plan as the planner sees it, with at least three tasks so that every seed writes them
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
    .min(3)
    .max(10),
});
const Report = z.object({ summary: z.string().max(2_000), details: z.string().max(2_000) });

describe('a schema whose bounds allow more than maxOutputTokens still ends in time', () => {
  test.each([
    { name: 'the orchestrator plan', schema: Plan as z.ZodType, maxOutputTokens: 300 },
    { name: 'two long strings', schema: Report as z.ZodType, maxOutputTokens: 256 },
  ])('$name, in $maxOutputTokens tokens, over three seeds', async ({ schema, maxOutputTokens }) => {
    for (const seed of [1, 2, 3]) {
      const result = await generateText({
        model: engine.languageModel(),
        prompt: 'Plan the tasks for: I want to return my SuperWidget and where is order A-12345?',
        output: Output.object({ schema: schema as z.ZodType<Record<string, unknown>> }),
        maxOutputTokens,
        temperature: 1,
        seed,
      });
      expect(result.finishReason).toBe('stop');
      expect(result.usage.outputTokens).toBeLessThanOrEqual(maxOutputTokens);
      expect(schema.safeParse(result.output).success).toBe(true);
    }
  });

  test('JSON without a schema is bounded as a whole too', async () => {
    const result = await generateText({ model: engine.languageModel(), prompt: 'Describe a cat as JSON.', output: Output.json(), maxOutputTokens: 64, seed: 4 });
    expect(result.finishReason).toBe('stop');
    expect(typeof result.output).toBe('object');
  });
});

test('a step cut off at the token limit says so, not that the answer could not be parsed', async () => {
  const braid = createRuntime({ model: createModel('local', { local: engine, env: {} }) });
  // 400 characters at the least cannot fit in 12 tokens, however the grammar is fitted
  const error = await braid
    .step({ name: 'essay', prompt: 'Write an essay.', schema: z.object({ essay: z.string().min(400) }), maxOutputTokens: 12 })
    .then(
      () => expect.fail('12 tokens cannot hold 400 characters'),
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(InvalidOutputError);
  expect((error as InvalidOutputError).message).toMatch(/cut off at the token limit/);
  expect((error as InvalidOutputError).message).not.toMatch(/could not parse/);
});
