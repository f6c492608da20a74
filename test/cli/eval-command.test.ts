import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { makeTempDirectory, PROGRESS_ESCAPES, REPOSITORY_ROOT, runCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const SUPPORT_SET = 'data/eval/support-queries.jsonl';
const ORDER_SET = 'data/eval/order-messages.jsonl';
const INTENTS = ['Technical Support', 'Billing Inquiry', 'General Question'];
const Ratio = z.number().min(0).max(1);
const Score = z.object({ precision: Ratio.nullable(), recall: Ratio.nullable(), f1: Ratio.nullable() });
const Summary = z.object({ calls: z.number().int(), inputTokens: z.number(), costUsd: z.number() });
const Stats = z.strictObject({ mean: Ratio.nullable(), stddev: z.number().min(0).nullable(), min: Ratio.nullable(), max: Ratio.nullable(), count: z.number().int(), errors: z.number().int() });
const ScoreJson = z.strictObject({ score: Ratio.nullable(), reason: z.string().optional(), error: z.string().optional() });
/** The one shape every `braid eval … --json` prints; `details` is the kind's own report. */
function evalJson<Details extends z.ZodType>(details: Details) {
  return z.strictObject({
    version: z.literal(1),
    eval: z.strictObject({ id: z.string(), kind: z.string(), dataset: z.string(), model: z.string(), judge: z.string().optional(), trials: z.number().int(), createdAt: z.iso.datetime() }),
    scorers: z.record(z.string(), Stats),
    thresholds: z.record(z.string(), Ratio),
    cases: z.array(
      z.strictObject({
        id: z.string(),
        label: z.string(),
        input: z.unknown(),
        expected: z.unknown().optional(),
        scores: z.record(z.string(), Stats),
        path: z.string(),
        trials: z.array(z.strictObject({ output: z.unknown().optional(), error: z.string().optional(), scores: z.record(z.string(), ScoreJson), path: z.string() })),
      }),
    ),
    baseline: z.unknown(),
    gate: z.strictObject({ status: z.enum(['passed', 'failed', 'none']), failures: z.array(z.unknown()), reason: z.string().optional() }),
    details,
    summary: Summary,
  });
}
const RoutingJson = evalJson(z.strictObject({
  accuracy: Ratio,
  total: z.number().int(),
  correct: z.number().int(),
  fellBack: z.number().int(),
  perIntent: z.record(z.string(), Score.extend({ expected: z.number().int(), predicted: z.number().int(), correct: z.number().int() })),
  confusion: z.record(z.string(), z.record(z.string(), z.number().int())),
  misses: z.array(z.object({ line: z.number().int(), q: z.string(), expected: z.string(), predicted: z.string(), reason: z.string().optional() })),
}));
const TaskScore = Score.extend({ expected: z.number().int(), predicted: z.number().int(), matched: z.number().int() });
const PlanningJson = evalJson(z.strictObject({
  exactMatchRate: Ratio,
  messages: z.number().int(),
  exactMatches: z.number().int(),
  failed: z.number().int(),
  tasks: TaskScore,
  perType: z.record(z.string(), TaskScore),
  ids: z.object({ compared: z.number().int(), correct: z.number().int(), accuracy: Ratio.nullable() }),
  misses: z.array(z.object({ line: z.number().int(), q: z.string(), problems: z.array(z.string()).min(1) })),
}));

/** The labelled lines of a shipped set, parsed. */
function readSet(file: string): Record<string, unknown>[] {
  return readFileSync(join(REPOSITORY_ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

test('eval route --json on the shipped set: one report whose counts add up to the lines, from classifier calls only', async () => {
  const lines = readSet(SUPPORT_SET);

  const result = await runCli(['eval', 'route', SUPPORT_SET, '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const json = RoutingJson.parse(JSON.parse(result.stdout));
  const report = json.details;
  expect(json.eval).toMatchObject({ kind: 'route', dataset: SUPPORT_SET, model: 'openai:gpt-4.1-mini', trials: 1 });
  expect(json.cases).toHaveLength(lines.length);
  expect(json.scorers.accuracy!.mean).toBeCloseTo(report.accuracy);
  expect(json.gate).toEqual({ status: 'none', failures: [] });
  expect(json.baseline).toBeNull();
  expect(report.total).toBe(lines.length);
  expect(Object.keys(report.confusion)).toEqual(INTENTS);
  for (const intent of INTENTS) {
    expect(Object.keys(report.confusion[intent]!)).toEqual([...INTENTS, '(fallback)']);
    expect(report.perIntent[intent]!.expected).toBe(lines.filter((line) => line.intent === intent).length);
  }
  expect(sum(Object.values(report.confusion).flatMap((row) => Object.values(row)))).toBe(lines.length);
  expect(report.correct + report.misses.length).toBe(lines.length);
  expect(report.accuracy).toBeCloseTo(report.correct / lines.length);
  for (const miss of report.misses) expect(lines[miss.line - 1]!.q).toBe(miss.q); // each miss points at its line
  const prompts = fake.server.stats().timeline.map((entry) => entry.prompt);
  expect(prompts.filter((prompt) => prompt.includes('Classify customer queries'))).toHaveLength(json.summary.calls);
  expect(json.summary.calls).toBeGreaterThanOrEqual(lines.length);
  expect(prompts.some((prompt) => prompt.includes('specialist'))).toBe(false);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
});

test('eval route prints the accuracy and an aligned confusion matrix', async () => {
  const file = join(makeTempDirectory(), 'set.jsonl');
  writeFileSync(
    file,
    [
      '{"q": "The app crashes", "intent": "Technical Support"}',
      '{"q": "Charged twice", "intent": "Billing Inquiry"}',
      '{"q": "Opening hours", "intent": "General Question"}',
    ].join('\n'),
  );
  fake.server.configure({
    rules: [
      { match: 'Query: The app crashes', json: { intent: 'Technical Support' } },
      { match: 'Query: Charged twice', json: { intent: 'General Question' } },
      { match: 'Query: Opening hours', json: { intent: 'General Question' } },
    ],
  });

  const result = await runCli(['eval', 'route', file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const output = result.stdout.split('\n');
  expect(output[0]).toBe('Routing accuracy: 66.7% (2 of 3 correct)');
  const header = output.findIndex((line) => line.startsWith('Confusion matrix'));
  const matrix = output.slice(header + 1, header + 5);
  expect(matrix[0]!.trim().split(/\s{2,}/)).toEqual([...INTENTS, '(fallback)']);
  expect(matrix.slice(1).map((line) => line.trim().split(/\s{2,}/))).toEqual([
    ['Technical Support', '1', '0', '0', '0'],
    ['Billing Inquiry', '0', '0', '1', '0'],
    ['General Question', '0', '0', '1', '0'],
  ]);
  // aligned: every count ends under the end of its column's header
  expect(new Set(matrix.map((line) => line.length)).size).toBe(1);
  expect(result.stdout).toContain('Misses (1):\n  line 2: "Charged twice"\n    - expected Billing Inquiry, got General Question\n');
  // every eval ends with its scorers; without a threshold there is no gate line
  expect(result.stdout).toMatch(/\nScores over 3 cases:\n  scorer +mean\n  accuracy +66\.7%\n$/);
});

test('eval route: a label outside the intents fails with one line naming it, before any call', async () => {
  const file = join(makeTempDirectory(), 'set.jsonl');
  writeFileSync(file, '{"q": "Hi", "intent": "General Question"}\n{"q": "Upgrade me", "intent": "Sales"}\n');

  const result = await runCli(['eval', 'route', file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^braid: .*set\.jsonl line 2: "Sales" is not one of the intents/)]);
  expect(result.stdout).toBe('');
  expect(fake.server.stats().requests).toBe(0);
});

test('eval orchestrate --json on the shipped set: counts add up to the labels, from planner calls only', async () => {
  const lines = readSet(ORDER_SET);
  const labelledTasks = lines.flatMap((line) => line.tasks as { query_type: string }[]);

  const result = await runCli(['eval', 'orchestrate', ORDER_SET, '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const json = PlanningJson.parse(JSON.parse(result.stdout));
  const report = json.details;
  expect(Object.keys(json.scorers)).toEqual(['exactPlan', 'taskF1', 'idAccuracy']);
  expect(json.scorers.exactPlan!.mean).toBeCloseTo(report.exactMatchRate);
  expect(report.messages).toBe(lines.length);
  expect(report.exactMatches + report.misses.length).toBe(lines.length);
  expect(report.tasks.expected).toBe(labelledTasks.length);
  expect(Object.keys(report.perType)).toEqual(['Billing Inquiry', 'Product Return', 'Status Update']);
  for (const [type, score] of Object.entries(report.perType)) {
    expect(score.expected).toBe(labelledTasks.filter((task) => task.query_type === type).length);
  }
  expect(sum(Object.values(report.perType).map((score) => score.matched))).toBe(report.tasks.matched);
  expect(report.ids.compared).toBe(report.tasks.matched);
  expect(fake.server.stats().timeline.every((entry) => entry.prompt.includes('You turn a customer message into a list of tasks'))).toBe(true);
});

test('eval route --help shows examples', async () => {
  const result = await runCli(['eval', 'route', '--help']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Examples:\n  $ braid eval route data/eval/support-queries.jsonl');
});
