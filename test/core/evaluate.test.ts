import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import {
  checkEvalGate,
  compareEvals,
  createEvalReport,
  createRuntime,
  evaluate,
  InputError,
  openRunStore,
  startRun,
  type Run,
  type Scorer,
} from '../../src/index.js';
import { startFakeProvider, type FakeRule } from '../fake-provider/index.js';
import { modelOn, QUICK_RETRY } from '../support/wire-models.js';

const Capital = z.object({ city: z.string() });
const Verdict = z.object({ reason: z.string(), verdict: z.enum(['yes', 'no']) });

async function setup(rules: FakeRule[] = []) {
  const server = await startFakeProvider({ rules });
  onTestFinished(() => server.close());
  return { server, model: modelOn('openai', server) };
}

/** The workflow under test: one typed step. */
const capitalOf = (country: string, run: Run) => run.step({ name: 'capital', prompt: `Capital of ${country}?`, schema: Capital }).then(({ city }) => city);

const exact: Scorer<string, string, string> = { name: 'exact', score: ({ output, expected }) => output === expected };

/** A judge: a step of its own, so it is retried, journaled and cached like the task's. */
const judged: Scorer<string, string, string> = {
  name: 'plausible',
  score: async ({ input, output, run }) => {
    const { verdict, reason } = await run.step({ name: 'judge', prompt: `Judge: is ${output} the capital of ${input}?`, schema: Verdict });
    return { score: verdict === 'yes' ? 1 : 0, reason };
  },
};

test('each case is scored by code and by a judge step, whose score and reason are parsed into the result', async () => {
  const { server, model } = await setup([
    { match: 'Capital of France?', json: { city: 'Paris' } },
    { match: 'Capital of Peru?', json: { city: 'Cusco' } },
    { match: 'Judge: is Paris', json: { reason: 'Paris is named in the question as expected.', verdict: 'yes' } },
    { match: 'Judge: is Cusco', json: { reason: 'Cusco was the Inca capital, not the modern one.', verdict: 'no' } },
  ]);
  const run = createRuntime({ model, retry: QUICK_RETRY });

  const result = await evaluate(run, {
    data: [
      { input: 'France', expected: 'Paris' },
      { input: 'Peru', expected: 'Lima', id: 'peru' },
    ],
    task: capitalOf,
    scorers: [exact, judged],
  });

  expect(result.trials).toBe(1);
  expect(result.cases.map((item) => [item.id, item.label, item.trials[0]!.output])).toEqual([
    [expect.stringMatching(/^[0-9a-f]{12}$/), 'France', 'Paris'],
    ['peru', 'Peru', 'Cusco'],
  ]);
  expect(result.cases[1]!.trials[0]!.scores).toEqual({
    exact: { score: 0 },
    plausible: { score: 0, reason: 'Cusco was the Inca capital, not the modern one.' },
  });
  expect(result.cases[0]!.trials[0]!.scores.plausible).toEqual({ score: 1, reason: 'Paris is named in the question as expected.' });
  expect(result.scorers.exact).toEqual({ mean: 0.5, stddev: 0, min: 0.5, max: 0.5, count: 2, errors: 0 });
  // the judge ran as a step of the case's trial, under its scorer's scope
  const judges = run.spans().filter((span) => span.kind === 'step' && span.name === 'judge');
  expect(judges.map((span) => span.key).sort()).toEqual([`${result.cases[0]!.path}/trial[0]#0/score[plausible]#0/judge#0`, `${result.cases[1]!.path}/trial[0]#0/score[plausible]#0/judge#0`]);
  expect(server.stats().requests).toBe(4);
});

test('trials: each is a call of its own, and each scorer gets a mean and a spread', async () => {
  // France is right in two of three trials, Peru in all three: whichever trial gets the wrong
  // answer, the trial means are 1, 1 and 0.5
  const { server, model } = await setup([
    { match: 'Capital of France?', json: { city: 'Lyon' }, times: 1 },
    { match: 'Capital of France?', json: { city: 'Paris' } },
    { match: 'Capital of Peru?', json: { city: 'Lima' } },
  ]);
  const run = createRuntime({ model, retry: QUICK_RETRY });

  const result = await evaluate(run, {
    data: [
      { input: 'France', expected: 'Paris' },
      { input: 'Peru', expected: 'Lima' },
    ],
    task: capitalOf,
    scorers: [exact],
    trials: 3,
  });

  expect(server.stats().requests).toBe(6);
  expect(result.cases[0]!.trials.map((trial) => trial.output).sort()).toEqual(['Lyon', 'Paris', 'Paris']);
  expect(result.cases[0]!.scores.exact).toEqual({ mean: 2 / 3, stddev: expect.closeTo(Math.sqrt(2) / 3, 10), min: 0, max: 1, count: 3, errors: 0 });
  expect(result.cases[1]!.scores.exact).toEqual({ mean: 1, stddev: 0, min: 1, max: 1, count: 3, errors: 0 });
  // the eval's spread is that of its trial means (1, 1, 0.5): how much a re-run would move it
  expect(result.scorers.exact).toEqual({ mean: 5 / 6, stddev: expect.closeTo(Math.sqrt(2) / 6, 10), min: 0.5, max: 1, count: 6, errors: 0 });
});

test('with the response cache, trials after the first still ask anew, and a second eval of the same cases makes no call', async () => {
  const { server, model } = await setup([{ match: 'Capital of France?', json: { city: 'Paris' } }]);
  const store = openRunStore(':memory:');
  onTestFinished(() => store.close());
  const evalOnce = async (trials: number) => {
    server.reset();
    const run = startRun(store, { model, retry: QUICK_RETRY, workflow: 'eval-capitals', cache: true });
    const result = await evaluate(run, { data: [{ input: 'France', expected: 'Paris' }], task: capitalOf, scorers: [exact, judged], trials });
    run.finish();
    return { result, requests: server.stats().requests, cacheHits: run.summary().cacheHits };
  };

  expect((await evalOnce(1)).requests).toBe(2); // the task and the judge
  // trial 1 is answered from the cache; trials 2 and 3 are repetitions, so they ask again
  expect(await evalOnce(3)).toMatchObject({ requests: 4, cacheHits: 2 });
  const again = await evalOnce(3);
  expect(again).toMatchObject({ requests: 0, cacheHits: 6 });
  expect(again.result.cases[0]!.scores.exact).toMatchObject({ mean: 1, count: 3 });
});

test('a task that fails scores 0 on every scorer; a judge that fails leaves a missing score, which fails a gate on it', async () => {
  const { model } = await setup([
    { match: 'Capital of Atlantis?', status: 400 },
    { match: 'Capital of France?', json: { city: 'Paris' } },
    { match: 'Judge: is Paris', status: 400 },
  ]);
  const run = createRuntime({ model, retry: QUICK_RETRY });

  const result = await evaluate(run, {
    data: [
      { input: 'Atlantis', expected: 'Poseidonia' },
      { input: 'France', expected: 'Paris' },
    ],
    task: capitalOf,
    scorers: [exact, judged],
  });

  const [atlantis, france] = result.cases;
  expect(atlantis!.trials[0]).toMatchObject({ error: expect.stringMatching(/400/), scores: { exact: { score: 0 }, plausible: { score: 0, reason: expect.stringMatching(/^the task failed: /) } } });
  expect(atlantis!.trials[0]!.output).toBeUndefined();
  expect(france!.trials[0]!.scores.plausible).toEqual({ score: null, error: expect.stringMatching(/400/) });
  expect(result.scorers.plausible).toMatchObject({ mean: 0, count: 1, errors: 1 });

  const gate = checkEvalGate(result, { thresholds: { exact: 0.5, plausible: 0 } });
  expect(gate.status).toBe('failed');
  expect(gate.reason).toBe('plausible is missing 1 score (the scorer failed)');
});

test('against a baseline, a case whose answer changed for the worse is regressed; a gate counts regressions and thresholds', async () => {
  const data = [
    { input: 'France', expected: 'Paris' },
    { input: 'Peru', expected: 'Lima' },
    { input: 'Chile', expected: 'Santiago' },
  ];
  const { model, server } = await setup([
    { match: 'Capital of France?', json: { city: 'Paris' } },
    { match: 'Capital of Peru?', json: { city: 'Lima' } },
    { match: 'Capital of Chile?', json: { city: 'Valparaíso' } },
  ]);
  const baseline = await evaluate(createRuntime({ model, retry: QUICK_RETRY }), { data, task: capitalOf, scorers: [exact] });

  server.configure({
    rules: [
      { match: 'Capital of France?', json: { city: 'Paris' } },
      { match: 'Capital of Peru?', json: { city: 'Cusco' } }, // the answer changed: a regression
      { match: 'Capital of Chile?', json: { city: 'Santiago' } },
    ],
  });
  const current = await evaluate(createRuntime({ model, retry: QUICK_RETRY }), { data: [...data.slice(0, 2), data[2]!, { input: 'Spain', expected: 'Madrid' }], task: capitalOf, scorers: [exact] });
  const diff = compareEvals(current, baseline);

  expect(diff.cases.map((item) => [item.label, item.change])).toEqual([
    ['France', 'unchanged'],
    ['Peru', 'regressed'],
    ['Chile', 'improved'],
    ['Spain', 'added'],
  ]);
  expect(diff.cases[1]!.scores.exact).toEqual({ baseline: 1, current: 0, delta: -1 });
  expect(diff.counts).toEqual({ improved: 1, regressed: 1, unchanged: 1, added: 1, removed: 0 });
  expect(diff.scorers.exact!.baseline).toBeCloseTo(2 / 3);
  expect(diff.scorers.exact!.delta).toBeCloseTo(0.5 - 2 / 3);

  expect(checkEvalGate(current, { thresholds: { exact: 0.5 }, maxRegressions: 1, diff })).toEqual({ status: 'passed', failures: [] });
  const failed = checkEvalGate(current, { thresholds: { exact: 0.75 }, maxRegressions: 0, diff });
  expect(failed.status).toBe('failed');
  expect(failed.reason).toBe('exact 0.5 < 0.75; 1 case regressed (at most 0 allowed)');
  expect(failed.failures.map((failure) => failure.scorer)).toEqual(['exact', undefined]);
  expect(checkEvalGate(current)).toEqual({ status: 'none', failures: [] });
});

test('bad scorers and thresholds are refused before anything runs', async () => {
  const { server, model } = await setup();
  const run = createRuntime({ model, retry: QUICK_RETRY });
  const data = [{ input: 'France', expected: 'Paris' }];

  await expect(evaluate(run, { data, task: capitalOf, scorers: [exact, { ...exact }] })).rejects.toThrow('two scorers are named "exact"');
  await expect(evaluate(run, { data, task: capitalOf, scorers: [{ ...exact, name: 'an exact' }] })).rejects.toThrow(/must start with a letter/);
  await expect(evaluate(run, { data, task: capitalOf, scorers: [exact], trials: 0 })).rejects.toThrow(/trials/);
  await expect(evaluate(run, { data: [], task: capitalOf, scorers: [exact] })).rejects.toThrow(/no cases/);
  expect(server.stats().requests).toBe(0);

  const result = { scorers: { exact: { mean: 1, stddev: 0, min: 1, max: 1, count: 1, errors: 0 } } };
  expect(() => checkEvalGate(result, { thresholds: { accuracy: 0.9 } })).toThrow(InputError);
  expect(() => checkEvalGate(result, { thresholds: { accuracy: 0.9 } })).toThrow('no scorer "accuracy" to hold to a threshold; this eval has exact');
  expect(() => checkEvalGate(result, { thresholds: { exact: 1.5 } })).toThrow(/from 0 to 1/);
});

test('a scorer answering outside 0…1 leaves a missing score naming it, not a wrong mean', async () => {
  const { model } = await setup([{ match: 'Capital of France?', json: { city: 'Paris' } }]);
  const result = await evaluate(createRuntime({ model, retry: QUICK_RETRY }), {
    data: [{ input: 'France' }],
    task: capitalOf,
    scorers: [{ name: 'letters', score: ({ output }) => output.length }],
  });
  expect(result.cases[0]!.trials[0]!.scores.letters).toEqual({ score: null, error: 'scorer letters answered 5, not a score from 0 to 1' });
  expect(result.scorers.letters).toMatchObject({ mean: null, errors: 1 });
});

test('a stored eval is the next one\'s baseline (--baseline last), unless it failed its gate', async () => {
  const { server, model } = await setup([{ match: 'Capital of France?', json: { city: 'Paris' } }]);
  const store = openRunStore(':memory:');
  onTestFinished(() => store.close());
  const facts = { kind: 'capitals', dataset: 'capitals.jsonl', model: 'openai:test-model' };
  const evalOnce = async (thresholds: Record<string, number>) => {
    const run = startRun(store, { model, retry: QUICK_RETRY, workflow: 'eval-capitals' });
    const result = await evaluate(run, { data: [{ input: 'France', expected: 'Paris' }], task: capitalOf, scorers: [exact] });
    run.finish();
    const report = createEvalReport(result, { id: run.runId, ...facts, baseline: store.findLastEval(facts), thresholds });
    store.saveEval(report);
    return report;
  };

  const good = await evalOnce({ exact: 0.5 });
  expect(good.baseline).toBeNull();
  expect(good.gate.status).toBe('passed');
  server.configure({ rules: [{ match: 'Capital of France?', json: { city: 'Lyon' } }] });
  const bad = await evalOnce({ exact: 0.5 });
  expect(bad.baseline).toMatchObject({ id: good.eval.id, counts: { regressed: 1 } });
  expect(bad.gate).toMatchObject({ status: 'failed', reason: 'exact 0 < 0.5' });
  // the failed eval is kept (for braid view) but the next one is still measured against the good one
  const next = await evalOnce({});
  expect(next.baseline?.id).toBe(good.eval.id);
  expect(next.gate.status).toBe('none');
  expect(store.getEval(bad.eval.id)).toEqual(bad);
  expect(store.listEvals().map((row) => [row.id, row.gate, row.baselineId])).toEqual([
    [next.eval.id, 'none', good.eval.id],
    [bad.eval.id, 'failed', good.eval.id],
    [good.eval.id, 'passed', undefined],
  ]);
  expect(store.findLastEval({ ...facts, dataset: 'another.jsonl' })).toBeUndefined();
});
