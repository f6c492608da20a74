import { testModelFile } from '../../support/test-model-file.js';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BraidError } from '../../../src/core/errors.js';
import { createLocalEngine, type LocalEngine } from '../../../src/providers/local/local-engine.js';

const MODEL = testModelFile();
let engine: LocalEngine;

// one sequence: a call that failed to give its sequence back would block every later call
beforeAll(() => {
  engine = createLocalEngine({ env: { BRAID_LOCAL_MODEL: MODEL, BRAID_OFFLINE: '1' }, sequences: 1, contextSize: 2048 });
});
afterAll(() => engine.dispose());

test('concurrent first calls load the model once', async () => {
  const model = engine.languageModel();
  const results = await Promise.all([1, 2, 3].map((n) => generateText({ model, prompt: `Call ${n}`, maxOutputTokens: 3 })));
  expect(results.map((result) => result.usage.outputTokens)).toEqual([3, 3, 3]);
  expect(engine.stats().loadedModels).toBe(1);
  const info = await engine.load();
  expect(await engine.load(MODEL)).toBe(info); // the same file by path is the same loaded model
  expect(info).toMatchObject({ modelPath: MODEL, sequences: 1, contextSize: 2048 });
  expect(info.threads).toBeGreaterThanOrEqual(1);
  expect(engine.languageModel(MODEL).modelId).toBe(MODEL);
});

test('an abort stops generation at once and frees the sequence', async () => {
  const controller = new AbortController();
  const before = engine.stats();
  let deltas = 0;
  let aborted = false;
  const result = streamText({
    model: engine.languageModel(),
    prompt: 'Write forever.',
    maxOutputTokens: 1500,
    abortSignal: controller.signal,
    onAbort: () => {
      aborted = true;
    },
  });
  for await (const _delta of result.textStream) {
    deltas += 1;
    if (deltas === 3) controller.abort();
  }
  expect(aborted).toBe(true);

  // with one sequence, this call only runs if the aborted one gave its sequence back
  const next = await generateText({ model: engine.languageModel(), prompt: 'Still there?', maxOutputTokens: 4 });
  expect(next.usage.outputTokens).toBe(4);
  const generated = engine.stats().evaluatedOutputTokens - before.evaluatedOutputTokens;
  expect(generated).toBeLessThan(100); // both calls together, far short of the 1500 the aborted one asked for
  expect(engine.stats().busySequences).toBe(0);
});

test('a call waiting for a sequence can be aborted while it waits', async () => {
  const model = engine.languageModel();
  const holder = new AbortController();
  const busy = streamText({ model, prompt: 'Hold the sequence.', maxOutputTokens: 1500, abortSignal: holder.signal });
  const reader = busy.textStream[Symbol.asyncIterator]();
  await reader.next(); // the only sequence is now generating for `busy`

  const waiting = new AbortController();
  const queued = generateText({ model, prompt: 'Wait my turn.', maxOutputTokens: 4, abortSignal: waiting.signal });
  // each streamed token is a turn of the event loop: by a few tokens on, the call is queued
  while (engine.stats().waitingCalls === 0) expect((await reader.next()).done).toBe(false);
  waiting.abort();
  await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
  expect(engine.stats()).toMatchObject({ waitingCalls: 0, busySequences: 1 }); // it left the queue; `busy` still runs

  holder.abort();
  while (!(await reader.next()).done);
  const after = await generateText({ model, prompt: 'Free again?', maxOutputTokens: 2 });
  expect(after.usage.outputTokens).toBe(2);
});

test('a disposed engine refuses new models with a braid error', async () => {
  const disposable = createLocalEngine({ env: { BRAID_LOCAL_MODEL: MODEL } });
  await disposable.dispose();
  expect(() => disposable.languageModel()).toThrow(BraidError);
});
