import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { openRunStore, type EvalReport } from '../../src/index.js';
import { makeTempDirectory, runCli, stderrLines } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const ANSWER = 'A heat pump moves heat from the outside air into the house, and it keeps working in cold weather.';

function documents(): { directory: string; store: string } {
  const root = makeTempDirectory();
  const directory = join(root, 'docs');
  mkdirSync(directory);
  writeFileSync(join(directory, 'heat-pumps.md'), '# Heat Pumps\n\nA heat pump moves heat from the outside air into a house.\n');
  writeFileSync(join(directory, 'boilers.md'), '# Boilers\n\nMost condensing boilers last about fifteen years.\n');
  return { directory, store: join(root, 'runs.db') };
}

test('eval faq: judges on the judge model give a score and a reason that are printed and stored; a judge threshold gates; --cache makes a re-run free', async () => {
  const { directory, store } = documents();
  fake.server.configure({
    rules: [
      { match: 'Write exactly 2 distinct questions', json: { questions: ['What is a heat pump?', 'How long does a boiler last?'] } },
      { match: /using only the documents\.\nQuestion: What is a heat pump\?$/, json: { answer: ANSWER } },
      { match: /using only the documents\.\nQuestion: How long does a boiler last\?$/, json: { answer: 'Most condensing boilers last about fifteen years, the boiler document says.' } },
      { match: /Which documents support[\s\S]*Question: What is a heat pump\?/, json: { sources: ['Heat Pumps', 'Boilers'] } },
      { match: /Which documents support[\s\S]*Question: How long/, json: { sources: ['Boilers'] } },
      { match: /Criterion: cited[\s\S]*Question: What is a heat pump\?/, json: { reason: 'The Boilers document supports nothing in this answer.', verdict: 'partly' } },
      { match: 'You grade one entry of a FAQ', json: { reason: 'Every claim is in the cited document.', verdict: 'yes' } },
    ],
  });
  const args = ['eval', 'faq', directory, '--questions', '2', '--judge', 'openai:judge-model', '--threshold', 'grounded=0.9', '--threshold', 'cited=0.9', '--cache', '--json', '--store', store];

  const first = await runCli([...args, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(first.code, first.stderr).toBe(1);
  expect(stderrLines(first)).toEqual(['braid: the eval failed its gate: cited 0.75 < 0.9']);
  const report = JSON.parse(first.stdout) as EvalReport;
  expect(report.eval).toMatchObject({ kind: 'faq', model: 'openai:gpt-4.1-mini', judge: 'openai:judge-model', trials: 1 });
  expect(Object.keys(report.scorers)).toEqual(['count', 'distinct', 'realSources', 'answerLength', 'grounded', 'cited', 'answersQuestion']);
  expect(report.cases.map((item) => [item.id, item.label])).toEqual([
    ['entry 1', 'What is a heat pump?'],
    ['entry 2', 'How long does a boiler last?'],
  ]);
  expect(report.cases[0]!.trials[0]!.scores.cited).toEqual({ score: 0.5, reason: 'The Boilers document supports nothing in this answer.' });
  expect(report.cases[1]!.trials[0]!.scores.grounded).toEqual({ score: 1, reason: 'Every claim is in the cited document.' });
  expect(report.gate.failures).toEqual([{ kind: 'threshold', scorer: 'cited', message: 'cited 0.75 < 0.9' }]);
  // six judge calls, all on the judge model; the FAQ's five calls on the run's model
  const requests = fake.server.stats().timeline;
  expect(requests.filter((request) => request.model === 'judge-model')).toHaveLength(6);
  expect(requests.filter((request) => request.model === 'judge-model').every((request) => request.prompt.includes('You grade one entry'))).toBe(true);
  expect(requests.filter((request) => request.model === 'gpt-4.1-mini')).toHaveLength(5);

  // stored: braid view shows it, --baseline reads it
  const stored = openRunStore(store);
  onTestFinished(() => stored.close());
  expect(stored.getEval(report.eval.id)?.cases[0]!.trials[0]!.scores.cited).toEqual({ score: 0.5, reason: 'The Boilers document supports nothing in this answer.' });

  fake.server.reset();
  const second = await runCli([...args, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(second.code).toBe(1);
  expect(fake.server.stats().requests).toBe(0);
  const again = JSON.parse(second.stdout) as EvalReport & { summary: { calls: number; cacheHits: number } };
  expect(again.summary).toMatchObject({ calls: 0, cacheHits: 11 });
  expect(again.cases.map((item) => item.trials[0]!.scores)).toEqual(report.cases.map((item) => item.trials[0]!.scores));
});

test('eval faq prints the FAQ, the scores and every score below full marks with its reason', async () => {
  const { directory, store } = documents();
  fake.server.configure({
    rules: [
      { match: 'Write exactly 1 distinct questions', json: { questions: ['What is a heat pump?'] } },
      { match: /using only the documents\.\nQuestion: What is a heat pump\?$/, json: { answer: 'It pumps heat.' } },
      { match: /Which documents support/, json: { sources: ['Heat Pumps'] } },
      { match: 'Criterion: answers the question', json: { reason: 'It names what the pump does, not what it is.', verdict: 'partly' } },
      { match: 'You grade one entry of a FAQ', json: { reason: 'Supported.', verdict: 'yes' } },
    ],
  });

  const result = await runCli(['eval', 'faq', directory, '--questions', '1', '--store', store, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('FAQ eval: 1 entries asked\n\nThe FAQ:\n  1. What is a heat pump?\n     It pumps heat.\n     sources: Heat Pumps\n');
  expect(result.stdout).toMatch(/\n  answerLength +0\.0%\n/);
  expect(result.stdout).toContain(
    'Below full marks (2):\n  entry 1 answerLength 0: the answer has 3 words, not 10 to 120\n  entry 1 answersQuestion 0.5: It names what the pump does, not what it is.\n',
  );
});
