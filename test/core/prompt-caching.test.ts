import { describe, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { costOf, createRuntime } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { modelOn } from '../support/wire-models.js';

const Answer = z.object({ answer: z.string().max(60) });
const documents = 'Wind turbines turn the kinetic energy of moving air into electricity. '.repeat(30);
const price = { input: 2, output: 8, cachedInput: 0.5 };

describe.each(['openai', 'google', 'anthropic'] as const)('provider prompt caching on the %s wire', (wire) => {
  test('a repeated prefix is reported as cached input and priced at the cached rate', async () => {
    const server = await startFakeProvider({ promptCaching: true });
    onTestFinished(() => server.close());
    const braid = createRuntime({ model: modelOn(wire, server), prices: { [`${wire}:test-model`]: price } });
    await braid.step({ name: 'first', system: documents, prompt: 'What do turbines do?', schema: Answer });
    await braid.step({ name: 'second', system: documents, prompt: 'What do blades do?', schema: Answer });

    const [first, second] = braid.spans().filter((span) => span.kind === 'attempt');
    expect(first!.cachedInputTokens).toBe(0);
    expect(second!.cachedInputTokens).toBeGreaterThan(0);
    expect(second!.cachedInputTokens).toBeLessThanOrEqual(second!.inputTokens!);
    expect(second!.costUsd).toBeCloseTo(
      costOf(price, { inputTokens: second!.inputTokens!, outputTokens: second!.outputTokens!, cachedInputTokens: second!.cachedInputTokens }),
      12,
    );
    expect(second!.costUsd).toBeLessThan(costOf(price, { inputTokens: second!.inputTokens!, outputTokens: second!.outputTokens! }));
    expect(braid.summary().cachedInputTokens).toBe(second!.cachedInputTokens);
  });
});

test('braid marks the stable prefix with an Anthropic cache breakpoint', async () => {
  const server = await startFakeProvider();
  onTestFinished(() => server.close());
  const braid = createRuntime({ model: modelOn('anthropic', server) });
  await braid.step({ name: 'answer', system: documents, prompt: 'What do turbines do?', schema: Answer });
  const body = server.stats().timeline[0]!.body as { system: { text: string; cache_control?: { type: string } }[] };
  const prefix = body.system.find((block) => block.text.includes('Wind turbines'));
  expect(prefix?.cache_control).toEqual({ type: 'ephemeral' });
});
