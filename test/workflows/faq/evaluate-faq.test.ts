import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createRuntime, evaluate } from '../../../src/index.js';
import { evaluateFaq, faqCodeScorers, type SourceDocument } from '../../../src/workflows/index.js';
import { startFakeProvider, type FakeRule } from '../../fake-provider/index.js';
import { modelOn, QUICK_RETRY } from '../../support/wire-models.js';

const HEAT_PUMPS = 'A heat pump moves heat from the outside air into a house. It keeps working down to minus twenty degrees.';
const BOILERS = 'A condensing boiler burns gas and recovers heat from its exhaust. Most boilers last about fifteen years.';
const DOCUMENTS: SourceDocument[] = [
  { file: 'heat-pumps.md', title: 'Heat Pumps', text: HEAT_PUMPS },
  { file: 'boilers.md', title: 'Boilers', text: BOILERS },
];
const LONG_ANSWER = 'A heat pump moves heat from the outside air into the house, and it keeps working in cold weather.';

async function setup(rules: FakeRule[]) {
  const server = await startFakeProvider({ rules });
  onTestFinished(() => server.close());
  return { server, run: createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY }) };
}

/** A FAQ entry with free-text sources, as a user's own FAQ step might write it. */
const LooseEntry = z.object({ question: z.string(), answer: z.string(), sources: z.array(z.string()) });

/** Scripts the answer step and the sources step of one question (matched exactly: one question may be another's prefix). */
function entry(question: string, answer: string, sources: string[]): FakeRule[] {
  const quoted = question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    { match: new RegExp(`using only the documents\\.\nQuestion: ${quoted}$`), json: { answer } },
    { match: new RegExp(`Which documents support this answer\\?[\\s\\S]*\nQuestion: ${quoted}\nAnswer: `), json: { sources } },
  ];
}

const ANY_JUDGE: FakeRule = { match: 'You grade one entry of a FAQ', json: { reason: 'Nothing is wrong with it.', verdict: 'yes' } };

test('each entry is scored by the code scorers (pass and fail) and by judges whose score and reason are parsed', async () => {
  const { server, run } = await setup([
    // two questions that differ only in punctuation: the pipeline keeps both, `distinct` flags the second
    { match: 'Write exactly 3 distinct questions', json: { questions: ['What is a heat pump?', 'What is a heat pump', 'How long does a boiler last?'] } },
    ...entry('What is a heat pump?', LONG_ANSWER, ['Heat Pumps']),
    ...entry('What is a heat pump', LONG_ANSWER, ['Heat Pumps', 'Boilers']),
    ...entry('How long does a boiler last?', 'Fifteen years.', ['Boilers']),
    { match: /Criterion: cited[\s\S]*Question: What is a heat pump\nAnswer/, json: { reason: 'The Boilers document supports nothing in the answer.', verdict: 'partly' } },
    { match: /Criterion: grounded[\s\S]*Question: How long does a boiler last\?/, json: { reason: 'The document says most boilers last about fifteen years.', verdict: 'yes' } },
    { match: /Criterion: answers the question[\s\S]*Question: What is a heat pump\?\n/, json: { reason: 'It says what a heat pump does, not what it is.', verdict: 'no' } },
    ANY_JUDGE,
  ]);

  const { result, trials } = await evaluateFaq(run, DOCUMENTS, { questions: 3 });

  expect(trials).toEqual([{ faqs: expect.any(Array), failures: [] }]);
  expect(result.cases.map((item) => [item.id, item.label])).toEqual([
    ['entry 1', 'What is a heat pump?'],
    ['entry 2', 'What is a heat pump'],
    ['entry 3', 'How long does a boiler last?'],
  ]);
  const scores = result.cases.map((item) => item.trials[0]!.scores);
  expect(scores.map((score) => score.count!.score)).toEqual([1, 1, 1]);
  expect(scores.map((score) => score.distinct)).toEqual([{ score: 1 }, { score: 0, reason: 'it asks what entry 1 asks: "What is a heat pump?"' }, { score: 1 }]);
  expect(scores.map((score) => score.realSources!.score)).toEqual([1, 1, 1]);
  expect(scores.map((score) => score.answerLength)).toEqual([{ score: 1 }, { score: 1 }, { score: 0, reason: 'the answer has 2 words, not 10 to 120' }]);
  // the judges' verdicts (yes / partly / no) become 1 / 0.5 / 0, each with its one-sentence reason
  expect(scores[1]!.cited).toEqual({ score: 0.5, reason: 'The Boilers document supports nothing in the answer.' });
  expect(scores[2]!.grounded).toEqual({ score: 1, reason: 'The document says most boilers last about fifteen years.' });
  expect(scores[0]!.answersQuestion).toEqual({ score: 0, reason: 'It says what a heat pump does, not what it is.' });
  expect(result.scorers.distinct!.mean).toBeCloseTo(2 / 3);
  expect(result.scorers.cited!.mean).toBeCloseTo(2.5 / 3);

  // a judge sees only the documents the entry cites; the answersQuestion judge sees none
  const judgePrompts = server.stats().timeline.map((request) => request.prompt).filter((prompt) => prompt.includes('You grade one entry of a FAQ'));
  expect(judgePrompts).toHaveLength(9);
  const groundedBoiler = judgePrompts.find((prompt) => prompt.includes('Criterion: grounded') && prompt.includes('How long does a boiler last?'))!;
  expect(groundedBoiler).toContain(BOILERS);
  expect(groundedBoiler).not.toContain(HEAT_PUMPS);
  const answers = judgePrompts.filter((prompt) => prompt.includes('Criterion: answers the question'));
  expect(answers).toHaveLength(3);
  for (const prompt of answers) expect(prompt).not.toMatch(/<document/);
});

test('the judges run on the judge model; the FAQ on the run model', async () => {
  const { server, run } = await setup([
    { match: 'Write exactly 1 distinct questions', json: { questions: ['What is a heat pump?'] } },
    ...entry('What is a heat pump?', LONG_ANSWER, ['Heat Pumps']),
    ANY_JUDGE,
  ]);

  await evaluateFaq(run, DOCUMENTS, { questions: 1, judge: modelOn('openai', server, 'judge-model') });

  const requests = server.stats().timeline;
  expect(requests.filter((request) => request.model === 'judge-model').map((request) => request.prompt.includes('You grade one entry'))).toEqual([true, true, true]);
  expect(requests.filter((request) => request.model !== 'judge-model').every((request) => !request.prompt.includes('You grade one entry'))).toBe(true);
});

test('count fails on every entry when a question fails, and the missing entry scores 0 with the reason', async () => {
  const { run } = await setup([
    { match: 'Write exactly 3 distinct questions', json: { questions: ['What is a heat pump?', 'Is gas cheaper?', 'How long does a boiler last?'] } },
    ...entry('What is a heat pump?', LONG_ANSWER, ['Heat Pumps']),
    { match: 'using only the documents.\nQuestion: Is gas cheaper?', status: 400 },
    ...entry('How long does a boiler last?', 'Most condensing boilers last about fifteen years, as the boiler document says.', ['Boilers']),
    ANY_JUDGE,
  ]);

  const { result, trials } = await evaluateFaq(run, DOCUMENTS, { questions: 3 });

  expect(trials[0]!.faqs).toHaveLength(2);
  expect(result.cases.map((item) => item.trials[0]!.scores.count)).toEqual([
    { score: 0, reason: 'the FAQ has 2 entries where 3 were asked' },
    { score: 0, reason: 'the FAQ has 2 entries where 3 were asked' },
    { score: 0, reason: expect.stringMatching(/^the task failed: the question "Is gas cheaper\?" failed: .*400/) },
  ]);
  expect(result.cases[2]!.trials[0]).toMatchObject({ error: expect.stringMatching(/Is gas cheaper/) });
  expect(result.cases[2]!.scores.grounded!.mean).toBe(0);
  // the entries that exist are still judged
  expect(result.cases[0]!.trials[0]!.scores.grounded).toEqual({ score: 1, reason: 'Nothing is wrong with it.' });
});

test('realSources passes only real titles: a FAQ written without braid\'s schema enum is caught', async () => {
  // a user's own FAQ step with free-text sources, scored with braid's FAQ scorers
  const { run } = await setup([
    { match: 'Entry about heat pumps', json: { question: 'What is a heat pump?', answer: LONG_ANSWER, sources: ['Heat Pumps'] } },
    { match: 'Entry about boilers', json: { question: 'How long do boilers last?', answer: LONG_ANSWER, sources: ['Boilers', 'Wikipedia'] } },
    { match: 'Entry about nothing', json: { question: 'What else?', answer: LONG_ANSWER, sources: [] } },
  ]);
  const topics = ['heat pumps', 'boilers', 'nothing'];

  const result = await evaluate(run, {
    data: topics.map((topic, index) => ({ input: { entry: index + 1 }, label: topic })),
    task: (input, entryRun) => entryRun.step({ name: 'entry', prompt: `Entry about ${topics[input.entry - 1]}`, schema: LooseEntry }),
    scorers: faqCodeScorers({ faq: [], questions: 0, titles: DOCUMENTS.map((document) => document.title) }).filter((scorer) => scorer.name === 'realSources'),
  });

  expect(result.cases.map((item) => item.trials[0]!.scores.realSources)).toEqual([
    { score: 1 },
    { score: 0, reason: 'it cites "Wikipedia", not the title of a document' },
    { score: 0, reason: 'it cites no source' },
  ]);
});
