import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { createLocalEngine, createModel, createRuntime, type LocalEngine, type StreamEvent } from '../../src/index.js';
import { isPrefixConsistent } from '../support/stream-checks.js';

const modelFile = process.env.BRAID_LOCAL_MODEL;

// the random-weight test model writes gibberish: these tests check structure and accounting only
describe.skipIf(!modelFile)('typed steps on the embedded local model', () => {
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = createLocalEngine({ env: { BRAID_LOCAL_MODEL: modelFile, BRAID_OFFLINE: '1' }, sequences: 2 });
    await engine.load();
  });
  afterAll(() => engine.dispose());

  const runtime = () => createRuntime({ model: createModel('local', { local: engine, env: {} }), limits: { concurrency: 2 } });

  const Card = z.object({
    title: z.string().max(40),
    rating: z.enum(['good', 'bad']),
    score: z.number(),
    tags: z.array(z.string().max(12)).max(3),
  });

  test('a structured step returns a value valid against its schema, with tokens counted', async () => {
    const braid = runtime();
    const card = await braid.step({ name: 'card', prompt: 'Describe solar panels as a card.', schema: Card, maxOutputTokens: 200 });
    expect(Card.safeParse(card).success).toBe(true);
    const summary = braid.summary();
    expect(summary.inputTokens).toBeGreaterThan(0);
    expect(summary.outputTokens).toBeGreaterThan(0);
    expect(summary.costUsd).toBe(0);
  });

  test('a streamed step sends its tokens as they are decoded, each prefix on the way to JSON the grammar allows', async () => {
    const braid = runtime();
    const stream = braid.stream({ name: 'card', prompt: 'Describe solar panels as a card.', schema: Card, maxOutputTokens: 200 });
    let isSettled = false;
    void stream.value.then(() => (isSettled = true));
    const events: StreamEvent<typeof Card>[] = [];
    let isSettledAtFirstText: boolean | undefined;
    for await (const event of stream.events) {
      if (event.type === 'text') isSettledAtFirstText ??= isSettled;
      events.push(event); // read live, as a UI would
    }
    const card = await stream.value;
    const texts = events.flatMap((event) => (event.type === 'text' ? [event.text] : []));

    expect(isSettledAtFirstText).toBe(false);
    expect(Card.safeParse(card).success).toBe(true);
    // one piece per decoded token or so, not the answer in one piece
    const [attempt] = braid.spans().filter((span) => span.kind === 'attempt');
    expect(texts.length).toBeGreaterThan(Math.min(5, attempt!.outputTokens! / 2));
    expect(JSON.parse(texts.join(''))).toEqual(card);
    expect(events.some((event) => event.type === 'reset')).toBe(false); // the grammar left nothing to repair
    const partials = events.flatMap((event) => (event.type === 'partial' ? [event.partial] : []));
    expect(partials.length).toBeGreaterThan(1);
    for (const partial of partials) expect(isPrefixConsistent(partial, card)).toBe(true);
    expect(braid.spans().find((span) => span.kind === 'step')!.firstTokenMs).toBeGreaterThanOrEqual(0);
  });

  test('two concurrent steps run at the same time on separate sequences', async () => {
    const braid = runtime();
    const results = await braid.parallel(['wind', 'storage'], (topic, item) => item.step({ name: 'card', prompt: `Describe ${topic} as a card.`, schema: Card, maxOutputTokens: 200 }),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(engine.stats().peakBusySequences).toBe(2);
    const [first, second] = braid.spans().filter((span) => span.kind === 'attempt');
    expect(first!.start).toBeLessThan(second!.end);
    expect(second!.start).toBeLessThan(first!.end);
  });

  test('a second call with the same prefix evaluates far fewer prompt tokens than the first', async () => {
    const braid = runtime();
    const documents = 'Solar panels turn sunlight into electricity. '.repeat(40);
    await braid.step({ name: 'first', system: documents, prompt: 'Question one?', schema: Card, maxOutputTokens: 120 });
    const afterFirst = braid.summary();
    await braid.step({ name: 'second', system: documents, prompt: 'Question two?', schema: Card, maxOutputTokens: 120 });
    const afterSecond = braid.summary();
    const firstEvaluated = afterFirst.evaluatedInputTokens;
    const secondEvaluated = afterSecond.evaluatedInputTokens - firstEvaluated;
    const secondReused = afterSecond.cachedInputTokens - afterFirst.cachedInputTokens;
    expect(firstEvaluated).toBeGreaterThan(300);
    expect(secondEvaluated * 5).toBeLessThan(firstEvaluated);
    expect(secondReused).toBeGreaterThan(300);
  });
});
