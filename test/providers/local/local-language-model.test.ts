import { testModelFile } from '../../support/test-model-file.js';
import { generateText, NoObjectGeneratedError, Output, streamText, tool } from 'ai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { z } from 'zod';
import { createLocalEngine, type LocalEngine } from '../../../src/providers/local/local-engine.js';
import type { LocalCallMetadata } from '../../../src/providers/local/local-language-model.js';

// random weights: the text is gibberish, so these tests assert structure and token accounting only
const env = { BRAID_LOCAL_MODEL: testModelFile(), BRAID_OFFLINE: '1' };
let engine: LocalEngine;

beforeAll(() => {
  engine = createLocalEngine({ env, sequences: 2, maxStringLength: 80 });
});
afterAll(() => engine.dispose());

function localMetadata(providerMetadata: unknown): LocalCallMetadata {
  return (providerMetadata as { local: LocalCallMetadata }).local;
}

test('a structured step returns an object that passes the zod schema', async () => {
  const Ticket = z.object({
    title: z.string().max(40),
    summary: z.string(), // no bound of its own: the engine's maxStringLength (80) applies
    kind: z.enum(['bug', 'question', 'idea']),
    score: z.number(),
    tags: z.array(z.string().max(12)).max(3),
  });
  const result = await generateText({
    model: engine.languageModel(),
    system: 'You file support tickets.',
    prompt: 'The app crashes when I upload a photo.',
    output: Output.object({ schema: Ticket }),
  });
  expect(Ticket.parse(result.output)).toEqual(result.output);
  expect(result.output.summary.length).toBeLessThanOrEqual(80);
  expect(result.finishReason).toBe('stop');
  expect(result.usage.outputTokens).toBeGreaterThan(0);
});

test('JSON without a schema is still a (bounded) JSON object', async () => {
  const result = await generateText({ model: engine.languageModel(), prompt: 'Describe a cat as JSON.', output: Output.json() });
  expect(typeof result.output).toBe('object');
  expect(result.output).not.toBeNull();
  expect(result.finishReason).toBe('stop');
});

test('running out of tokens mid-object surfaces as finish reason "length", for the caller to repair', async () => {
  const error = await generateText({
    model: engine.languageModel(),
    prompt: 'Write a long story.',
    output: Output.object({ schema: z.object({ story: z.string() }) }),
    maxOutputTokens: 5,
  }).then(
    () => expect.fail('five tokens cannot hold the object'),
    (caught: unknown) => caught,
  );
  expect(NoObjectGeneratedError.isInstance(error)).toBe(true);
  expect((error as NoObjectGeneratedError).finishReason).toBe('length');
  expect((error as NoObjectGeneratedError).text?.startsWith('{')).toBe(true);
});

test('a second call sharing a long prefix evaluates far fewer prompt tokens', async () => {
  const model = engine.languageModel();
  const system = `You answer questions about order ${crypto.randomUUID()}. ${'Be exact and cite the order line. '.repeat(40)}`;
  const meterBefore = engine.stats();
  const first = await generateText({ model, system, prompt: 'Where is it?', maxOutputTokens: 8 });
  const meterBetween = engine.stats();
  const second = await generateText({ model, system, prompt: 'When does it ship?', maxOutputTokens: 8 });
  const meterAfter = engine.stats();

  const firstLocal = localMetadata(first.providerMetadata);
  const secondLocal = localMetadata(second.providerMetadata);
  expect(first.usage.inputTokens).toBeGreaterThan(300);
  expect(firstLocal.reusedPromptTokens).toBeLessThan(10);
  expect(secondLocal.reusedPromptTokens).toBeGreaterThan(300);
  expect(secondLocal.evaluatedPromptTokens).toBeLessThan(first.usage.inputTokens! / 10);

  // usage reports the split the way cloud providers report cached prompt tokens
  expect(second.usage.inputTokenDetails.cacheReadTokens).toBe(secondLocal.reusedPromptTokens);
  expect(second.usage.inputTokenDetails.noCacheTokens).toBe(secondLocal.evaluatedPromptTokens);
  expect(second.usage.inputTokens).toBe(secondLocal.reusedPromptTokens + secondLocal.evaluatedPromptTokens);
  expect(secondLocal.tokensPerSecond).toBeGreaterThan(0);

  // node-llama-cpp's own token meters agree: the second prompt decoded a small fraction of the first
  const firstDecoded = meterBetween.evaluatedInputTokens - meterBefore.evaluatedInputTokens;
  const secondDecoded = meterAfter.evaluatedInputTokens - meterBetween.evaluatedInputTokens;
  expect(firstDecoded).toBeGreaterThan(300);
  expect(secondDecoded).toBeLessThan(firstDecoded / 10);
});

test('streaming yields text-start, deltas, text-end and a finish with usage', async () => {
  const result = streamText({ model: engine.languageModel(), prompt: 'Count to ten.', maxOutputTokens: 12 });
  const types: string[] = [];
  let streamed = '';
  for await (const part of result.fullStream) {
    types.push(part.type);
    if (part.type === 'text-delta') streamed += part.text;
  }
  expect(types.indexOf('text-start')).toBeLessThan(types.indexOf('text-delta'));
  expect(types.lastIndexOf('text-delta')).toBeLessThan(types.indexOf('text-end'));
  expect(types.indexOf('text-end')).toBeLessThan(types.indexOf('finish'));
  expect(streamed).toBe(await result.text);
  expect(await result.finishReason).toBe('length');
  expect((await result.usage).outputTokens).toBe(12);
});

test('two calls run at the same time, their tokens interleaved in one context', async () => {
  const model = engine.languageModel();
  const events: string[] = [];
  async function stream(name: string): Promise<string> {
    const result = streamText({ model, prompt: `Tell story ${name}.`, maxOutputTokens: 40 });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta' && !events.includes(`${name} started`)) events.push(`${name} started`);
      if (part.type === 'finish') events.push(`${name} finished`);
    }
    return result.finishReason;
  }
  const reasons = await Promise.all([stream('A'), stream('B')]);
  expect(reasons).toEqual(['length', 'length']); // both really generated 40 tokens
  // serialised calls would give "A started, A finished, B started, B finished"
  expect(events.indexOf('A started')).toBeLessThan(events.indexOf('B finished'));
  expect(events.indexOf('B started')).toBeLessThan(events.indexOf('A finished'));
  expect(engine.stats().peakBusySequences).toBe(2);
});

test('tools and images are reported as unsupported warnings, not errors', async () => {
  const result = await generateText({
    model: engine.languageModel(),
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'file', mediaType: 'image/png', data: new Uint8Array([137, 80, 78, 71]) },
        ],
      },
    ],
    tools: { lookup: tool({ inputSchema: z.object({ query: z.string() }) }) },
    maxOutputTokens: 4,
  });
  const features = result.warnings?.map((warning) => ('feature' in warning ? warning.feature : warning.type));
  expect(features).toEqual(expect.arrayContaining(['tools', 'file parts (image/png)']));
});
