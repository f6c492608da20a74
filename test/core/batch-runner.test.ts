import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import {
  createLocalRunner,
  createModel,
  createRuntime,
  defineBatchWorkflow,
  InvalidWorkflowInputError,
  InvalidWorkflowOutputError,
  ProviderCallError,
  type BatchRunProgress,
} from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { METALS, metalFactsWorkflow, REFUSED } from '../support/metal-facts-workflow.js';

async function startBraid(rules: { match: RegExp; status: number }[] = []) {
  const server = await startFakeProvider({ rules });
  onTestFinished(() => server.close());
  const model = createModel('openai:gpt-4.1-mini', { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } });
  return { server, braid: createRuntime({ model, retry: { maxRetries: 0 } }) };
}

test('the local runner runs a workflow per item in input order, and a failing item leaves its siblings intact', async () => {
  const { server, braid } = await startBraid([REFUSED]);
  const progress: BatchRunProgress[] = [];

  const results = await createLocalRunner(braid, { concurrency: 2 }).run(metalFactsWorkflow, METALS, { onProgress: (update) => progress.push(update) });

  expect(results.map((result) => result.ok)).toEqual([true, false, true]);
  const [iron, cobalt, zinc] = results;
  expect(iron).toMatchObject({ ok: true, value: { metal: 'iron' } });
  expect(zinc).toMatchObject({ ok: true, value: { metal: 'zinc' } });
  if (!iron?.ok || cobalt?.ok !== false) throw new Error('unreachable');
  // the second step saw the first one's output
  expect(server.stats().timeline.some((entry) => entry.prompt.includes(`about iron: ${iron.value.fact}`))).toBe(true);
  expect(cobalt.error).toBeInstanceOf(ProviderCallError);
  expect(progress.at(-1)).toEqual({ total: 3, completed: 2, failed: 1 });
  // one group per workflow, one per item: traces and journal keys show the structure
  const groups = braid.spans().filter((span) => span.kind === 'group').map((span) => span.name);
  expect(groups).toEqual(expect.arrayContaining(['metal-facts', 'item[0]', 'item[1]', 'item[2]']));
});

test('an item that fails the input schema fails the batch before any call', async () => {
  const { server, braid } = await startBraid();

  const run = createLocalRunner(braid).run(metalFactsWorkflow, [{ metal: 'iron' }, { metal: '' }]);

  await expect(run).rejects.toBeInstanceOf(InvalidWorkflowInputError);
  await expect(run).rejects.toMatchObject({ workflow: 'metal-facts', index: 1 });
  expect(server.stats().requests).toBe(0);
});

test('an output the output schema rejects fails its item with InvalidWorkflowOutputError', async () => {
  const { braid } = await startBraid();
  const shout = defineBatchWorkflow({
    name: 'shout',
    input: z.string(),
    output: z.string().regex(/^[A-Z]+$/),
    run: async (_braid, word) => word.toUpperCase(),
  });

  const results = await createLocalRunner(braid).run(shout, ['abc', 'a1']);

  expect(results[0]).toEqual({ ok: true, value: 'ABC' });
  expect(results[1]).toMatchObject({ ok: false, error: expect.any(InvalidWorkflowOutputError) });
});

test('a workflow name must be plain enough for a job name', () => {
  expect(() => defineBatchWorkflow({ name: 'has space', input: z.string(), output: z.string(), run: async (_braid, text) => text })).toThrow(/workflow name/);
});

test('onResult hands each outcome on as it settles; with keepResults: false the results returned hold no value', async () => {
  const { braid } = await startBraid([REFUSED]);
  const handed = new Map<number, boolean>();

  const results = await createLocalRunner(braid, { concurrency: 2 }).run(metalFactsWorkflow, METALS, {
    onResult: (index, result) => handed.set(index, result.ok && (result.value as { metal: string }).metal === METALS[index]!.metal),
    keepResults: false,
  });

  expect([...handed.entries()].sort(([a], [b]) => a - b)).toEqual([
    [0, true],
    [1, false],
    [2, true],
  ]);
  expect(results.map((result) => result.ok)).toEqual([true, false, true]);
  expect(results.filter((result) => result.ok).map((result) => result.value)).toEqual([undefined, undefined]);
});
