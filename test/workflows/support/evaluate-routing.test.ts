import { expect, onTestFinished, test } from 'vitest';
import { createRuntime } from '../../../src/index.js';
import { InputError } from '../../../src/core/errors.js';
import { classifyQuery } from '../../../src/workflows/support/classify-query.js';
import { evaluateRouting, FALLBACK_COLUMN, parseLabelledQueries } from '../../../src/workflows/support/evaluate-routing.js';
import { routeQuery } from '../../../src/workflows/support/route-query.js';
import { DEFAULT_FALLBACK, DEFAULT_INTENTS, type RouterConfig } from '../../../src/workflows/support/support-intents.js';
import { startFakeProvider, type FakeRule } from '../../fake-provider/index.js';
import { modelOn, QUICK_RETRY } from '../../support/wire-models.js';

const CONFIG: RouterConfig = { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK };
const CLASSIFIER = 'Classify customer queries';

async function setup(rules: FakeRule[] = []) {
  const server = await startFakeProvider({ rules });
  onTestFinished(() => server.close());
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  return { server, braid };
}

/** Scripts the classifier's answer for one query. */
function classifyAs(query: string, intent: string): FakeRule {
  return { match: `Query: ${query}`, json: { intent } };
}

test('accuracy, confusion matrix, per-intent scores and misses, from scripted classifications', async () => {
  const { server, braid } = await setup([
    classifyAs('The app crashes on start', 'Technical Support'),
    classifyAs('Wifi keeps dropping', 'Billing Inquiry'), // a mistake
    { match: 'Query: Printer is on fire', status: 400 }, // the call fails: the fallback route
    classifyAs('I was charged twice', 'Billing Inquiry'),
    classifyAs('Refund my last order', 'Billing Inquiry'),
    classifyAs('What are your opening hours', 'General Question'),
    classifyAs('Tell me a joke', 'Astrology'), // invalid after every repair: the fallback route
  ]);
  const labelled = parseLabelledQueries(
    [
      '{"q": "The app crashes on start", "intent": "Technical Support"}',
      '{"q": "Wifi keeps dropping", "intent": "Technical Support"}',
      '',
      '{"q": "Printer is on fire", "intent": "Technical Support"}',
      '{"q": "I was charged twice", "intent": "Billing Inquiry", "note": "notes are allowed"}',
      '{"q": "Refund my last order", "intent": "Billing Inquiry"}',
      '{"q": "What are your opening hours", "intent": "General Question"}',
      '{"q": "Tell me a joke", "intent": "General Question"}',
    ].join('\n'),
    CONFIG,
  );

  const { report } = await braid.group('eval', (run) => evaluateRouting(run, labelled, CONFIG));

  expect(report).toMatchObject({ total: 7, correct: 4, accuracy: 4 / 7, fellBack: 2 });
  expect(report.confusion).toEqual({
    'Technical Support': { 'Technical Support': 1, 'Billing Inquiry': 1, 'General Question': 0, [FALLBACK_COLUMN]: 1 },
    'Billing Inquiry': { 'Technical Support': 0, 'Billing Inquiry': 2, 'General Question': 0, [FALLBACK_COLUMN]: 0 },
    'General Question': { 'Technical Support': 0, 'Billing Inquiry': 0, 'General Question': 1, [FALLBACK_COLUMN]: 1 },
  });
  expect(report.perIntent).toEqual({
    'Technical Support': { expected: 3, predicted: 1, correct: 1, precision: 1, recall: 1 / 3, f1: expect.closeTo(0.5) },
    'Billing Inquiry': { expected: 2, predicted: 3, correct: 2, precision: 2 / 3, recall: 1, f1: expect.closeTo(0.8) },
    'General Question': { expected: 2, predicted: 1, correct: 1, precision: 1, recall: 0.5, f1: expect.closeTo(2 / 3) },
  });
  // a fallback is a miss even when the fallback intent is the label: the classifier did not classify
  expect(report.misses).toEqual([
    { line: 2, q: 'Wifi keeps dropping', expected: 'Technical Support', predicted: 'Billing Inquiry' },
    { line: 4, q: 'Printer is on fire', expected: 'Technical Support', predicted: FALLBACK_COLUMN, reason: expect.stringMatching(/400/) },
    { line: 8, q: 'Tell me a joke', expected: 'General Question', predicted: FALLBACK_COLUMN, reason: expect.stringMatching(/schema/) },
  ]);
  // only the classifier ran: no handler answered any query
  const prompts = server.stats().timeline.map((entry) => entry.prompt);
  expect(prompts.length).toBeGreaterThanOrEqual(7);
  expect(prompts.every((prompt) => prompt.includes(CLASSIFIER))).toBe(true);
});

test('the evaluation classifies with the very prompt routeQuery sends', async () => {
  const query = 'My invoice shows a double charge';
  const { server, braid } = await setup([classifyAs(query, 'Billing Inquiry')]);

  await routeQuery(braid, query, CONFIG);
  const classified = await classifyQuery(braid, query, CONFIG);

  expect(classified).toEqual({ intent: 'Billing Inquiry', fellBack: false });
  const classifications = server.stats().timeline.map((entry) => entry.prompt).filter((prompt) => prompt.includes(CLASSIFIER));
  expect(classifications).toHaveLength(2);
  expect(classifications[1]).toBe(classifications[0]);
});

test('the matrix follows the configured intents', async () => {
  const config: RouterConfig = {
    intents: [
      { name: 'Refund Request', description: 'asks for money back', prompt: 'You handle refunds.' },
      { name: 'Other', description: 'anything else', prompt: 'You answer.' },
    ],
    fallback: 'Other',
  };
  const { braid } = await setup([classifyAs('Money back please', 'Refund Request'), classifyAs('Hello', 'Refund Request')]);

  const { report } = await evaluateRouting(
    braid,
    [
      { q: 'Money back please', intent: 'Refund Request' },
      { q: 'Hello', intent: 'Other' },
    ],
    config,
  );

  expect(report.confusion).toEqual({
    'Refund Request': { 'Refund Request': 1, Other: 0, [FALLBACK_COLUMN]: 0 },
    Other: { 'Refund Request': 1, Other: 0, [FALLBACK_COLUMN]: 0 },
  });
  expect(report.perIntent.Other).toEqual({ expected: 1, predicted: 0, correct: 0, precision: null, recall: 0, f1: null });
  expect(report.misses).toEqual([{ line: 2, q: 'Hello', expected: 'Other', predicted: 'Refund Request' }]);
});

test('a label that is not a configured intent is an InputError naming its line, and nothing is called', async () => {
  const { server, braid } = await setup();
  const text = '{"q": "Hi", "intent": "General Question"}\n{"q": "Buy more", "intent": "Sales"}\n';

  expect(() => parseLabelledQueries(text, CONFIG, { source: 'set.jsonl' })).toThrow(InputError);
  expect(() => parseLabelledQueries(text, CONFIG, { source: 'set.jsonl' })).toThrow(/^set\.jsonl line 2: "Sales" is not one of the intents/);
  await expect(evaluateRouting(braid, [{ q: 'Buy more', intent: 'Sales' }], CONFIG)).rejects.toThrow(InputError);
  expect(server.stats().requests).toBe(0);
});

test('a line that is not JSON, or lacks a field, is an InputError naming its line', () => {
  const good = '{"q": "Hi", "intent": "General Question"}';
  expect(() => parseLabelledQueries(`${good}\n{"q": "Hi", intent}`, CONFIG, { source: 'set.jsonl' })).toThrow(/^set\.jsonl line 2 is not valid JSON$/);
  expect(() => parseLabelledQueries(`${good}\n\n{"intent": "General Question"}`, CONFIG, { source: 'set.jsonl' })).toThrow(/^set\.jsonl line 3 is invalid: q: /);
  expect(() => parseLabelledQueries('\n  \n', CONFIG, { source: 'set.jsonl' })).toThrow(InputError);
});
