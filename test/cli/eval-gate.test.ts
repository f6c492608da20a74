import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { openRunStore, type EvalReport } from '../../src/index.js';
import type { FakeRule } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, stderrLines } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

/** Three labelled queries, and the store every run of one test shares (as CI would keep it). */
function labelledSet(): { file: string; store: string } {
  const directory = makeTempDirectory();
  const file = join(directory, 'set.jsonl');
  writeFileSync(
    file,
    [
      '{"q": "The app crashes", "intent": "Technical Support"}',
      '{"q": "Charged twice", "intent": "Billing Inquiry"}',
      '{"q": "Opening hours", "intent": "General Question"}',
    ].join('\n'),
  );
  return { file, store: join(directory, 'runs.db') };
}

function classifyAs(query: string, intent: string, times?: number): FakeRule {
  return { match: `Query: ${query}`, json: { intent }, ...(times === undefined ? {} : { times }) };
}

const ALL_RIGHT = [classifyAs('The app crashes', 'Technical Support'), classifyAs('Charged twice', 'Billing Inquiry'), classifyAs('Opening hours', 'General Question')];
/** The billing query now goes to the wrong intent: a changed answer. */
const BILLING_WRONG = [classifyAs('The app crashes', 'Technical Support'), classifyAs('Charged twice', 'General Question'), classifyAs('Opening hours', 'General Question')];

async function evalRoute(file: string, store: string, ...flags: string[]) {
  const result = await runCli(['eval', 'route', file, '--store', store, ...flags, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
  return { ...result, report: flags.includes('--json') && result.stdout !== '' ? (JSON.parse(result.stdout) as EvalReport & { summary: { calls: number; cacheHits: number } }) : undefined };
}

test('--threshold: exit 0 when every scorer reaches it, else exit 1 with one line naming the failing scorer', async () => {
  const { file, store } = labelledSet();
  fake.server.configure({ rules: ALL_RIGHT });
  const passed = await evalRoute(file, store, '--threshold', 'accuracy=0.9');
  expect(passed.code, passed.stderr).toBe(0);
  expect(passed.stdout).toMatch(/\n  accuracy +100\.0% +90\.0% pass\n\nGate: passed\n$/);

  fake.server.configure({ rules: BILLING_WRONG });
  const failed = await evalRoute(file, store, '--threshold', 'accuracy=0.9');
  expect(failed.code).toBe(1);
  expect(stderrLines(failed)).toEqual(['braid: the eval failed its gate: accuracy 0.667 < 0.9']);
  expect(failed.stdout).toContain('Gate: FAILED: accuracy 0.667 < 0.9');
});

test('a threshold on a scorer the eval lacks, or out of range, and --max-regressions without a baseline are usage errors before any call', async () => {
  const { file, store } = labelledSet();

  const unknown = await evalRoute(file, store, '--threshold', 'precision=0.5');
  expect(unknown.code).toBe(2);
  expect(stderrLines(unknown)).toEqual(['braid: no scorer "precision" to hold to a threshold; this eval has accuracy']);

  const outOfRange = await evalRoute(file, store, '--threshold', 'accuracy=90');
  expect(outOfRange.code).toBe(2);
  expect(outOfRange.stderr).toMatch(/expected scorer=value with a value from 0 to 1, e\.g\. accuracy=0\.9, got "accuracy=90"/);

  const noBaseline = await evalRoute(file, store, '--max-regressions', '0');
  expect(noBaseline.code).toBe(2);
  expect(stderrLines(noBaseline)).toEqual(['braid: --max-regressions counts cases that regressed against a baseline: add --baseline last (or an eval id)']);

  const missing = await evalRoute(file, store, '--baseline', 'no-such-eval');
  expect(missing.code).toBe(2);
  expect(stderrLines(missing)[0]).toMatch(/^braid: no eval no-such-eval in .*runs\.db to compare with/);
  expect(fake.server.stats().requests).toBe(0);
});

test('--baseline last: a changed answer is a regressed case with its delta; --max-regressions 0 exits 1; a failed eval never becomes the baseline', async () => {
  const { file, store } = labelledSet();
  fake.server.configure({ rules: ALL_RIGHT });
  const first = await evalRoute(file, store, '--json', '--baseline', 'last', '--max-regressions', '0');
  expect(first.code, first.stderr).toBe(0);
  expect(stderrLines(first)).toEqual([expect.stringMatching(/^braid: no earlier eval of route on .*set\.jsonl to compare with/)]);
  expect(first.report!.baseline).toBeNull();

  fake.server.configure({ rules: BILLING_WRONG });
  const second = await evalRoute(file, store, '--json', '--baseline', 'last', '--max-regressions', '0');
  expect(second.code).toBe(1);
  expect(stderrLines(second)).toEqual(['braid: the eval failed its gate: 1 case regressed (at most 0 allowed)']);
  const diff = second.report!.baseline!;
  expect(diff.id).toBe(first.report!.eval.id);
  expect(diff.counts).toEqual({ improved: 0, regressed: 1, unchanged: 2, added: 0, removed: 0 });
  expect(diff.cases.map((item) => [item.label, item.change])).toEqual([
    ['line 1: The app crashes', 'unchanged'],
    ['line 2: Charged twice', 'regressed'],
    ['line 3: Opening hours', 'unchanged'],
  ]);
  expect(diff.cases[1]!.scores.accuracy).toEqual({ baseline: 1, current: 0, delta: -1 });
  expect(diff.scorers.accuracy!.delta).toBeCloseTo(-1 / 3);
  expect(second.report!.gate).toMatchObject({ status: 'failed', failures: [{ kind: 'regressions' }] });

  // the failed eval is stored (braid view shows it) but is not the bar the next change is held to
  const third = await evalRoute(file, store, '--baseline', 'last', '--max-regressions', '0');
  expect(third.code).toBe(1);
  expect(third.stdout).toContain(`Against ${first.report!.eval.id}: 1 regressed, 0 improved, 2 unchanged\n  regressed  line 2: Charged twice  (accuracy 100.0% → 0.0%)\n`);

  const stored = openRunStore(store);
  onTestFinished(() => stored.close());
  expect(stored.listEvals().map((row) => row.gate)).toEqual(['failed', 'failed', 'passed']);
  expect(stored.getEval(second.report!.eval.id)?.baseline?.counts.regressed).toBe(1);
});

test('--repeat 3: every query is classified three times, and accuracy gets a mean and a spread', async () => {
  const { file, store } = labelledSet();
  // the billing query goes wrong in one of its three trials; whichever it is, the trial means are 1, 1 and 2/3
  fake.server.configure({ rules: [classifyAs('Charged twice', 'General Question', 1), ...ALL_RIGHT] });

  const result = await evalRoute(file, store, '--json', '--repeat', '3');

  expect(result.code, result.stderr).toBe(0);
  const report = result.report!;
  expect(fake.server.stats().requests).toBe(9);
  expect(report.eval.trials).toBe(3);
  expect(report.scorers.accuracy).toEqual({ mean: 8 / 9, stddev: expect.closeTo(Math.sqrt(2) / 9, 10), min: 2 / 3, max: 1, count: 9, errors: 0 });
  const billing = report.cases[1]!;
  expect(billing.scores.accuracy).toEqual({ mean: 2 / 3, stddev: expect.closeTo(Math.sqrt(2) / 3, 10), min: 0, max: 1, count: 3, errors: 0 });
  expect(billing.trials.map((trial) => trial.path)).toEqual([0, 1, 2].map((trial) => `${billing.path}/trial[${trial}]#0`));
  expect((report.details as { total: number; correct: number }).total).toBe(9);
});

test('--cache: a second eval of the same set makes no call at all', async () => {
  const { file, store } = labelledSet();
  fake.server.configure({ rules: ALL_RIGHT });
  const first = await evalRoute(file, store, '--json', '--cache', '--repeat', '2');
  expect(first.code, first.stderr).toBe(0);
  expect(fake.server.stats().requests).toBe(6);

  fake.server.reset();
  const second = await evalRoute(file, store, '--json', '--cache', '--repeat', '2');

  expect(second.code, second.stderr).toBe(0);
  expect(fake.server.stats().requests).toBe(0);
  expect(second.report!.summary).toMatchObject({ calls: 0, cacheHits: 6 });
  expect(second.report!.scorers).toEqual(first.report!.scorers);
});
