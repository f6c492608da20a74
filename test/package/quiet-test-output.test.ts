import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { modelOn } from '../support/wire-models.js';

test('a call on a model the AI SDK does not know prints no AI SDK warning into the test output', async () => {
  const server = await startFakeProvider();
  onTestFinished(() => server.close());
  const warnings: string[] = [];
  const collect = (warning: Error): void => {
    warnings.push(warning.message);
  };
  process.on('warning', collect);
  onTestFinished(() => {
    process.off('warning', collect);
  });
  // the Anthropic client warns about an unknown model's output limit on every call
  const braid = createRuntime({ model: modelOn('anthropic', server, 'test-model') });

  await braid.step({ name: 'fact', prompt: 'One fact about iron', schema: z.object({ fact: z.string() }) });
  await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick

  expect(warnings.filter((message) => message.includes('AI SDK'))).toEqual([]);
});
