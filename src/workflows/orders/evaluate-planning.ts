import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { evaluate } from '../../core/evaluate.js';
import type { Run } from '../../core/run.js';
import type { Scorer } from '../../core/score-trial.js';
import type { EvalResult } from '../../core/summarize-eval.js';
import { parseJsonLines, type NumberedLine } from '../parse-json-lines.js';
import { precisionRecall, type PrecisionRecall } from '../precision-recall.js';
import { BillingInquiryTask, idOfTask, ProductReturnTask, StatusUpdateTask, TASK_ID_FIELDS, type OrderQueryType } from './order-tasks.js';
import { planOrderTasks } from './plan-order-tasks.js';

/** null: the message gives none, so the planner should leave it empty rather than guess. */
const LabelledId = z.string().trim().min(1).nullable();

/**
 * One task a message should turn into: its type and its id. Strict, so a misspelt field in the
 * labels fails loudly instead of silently scoring nothing.
 */
export const ExpectedTask = z.discriminatedUnion('query_type', [
  z.strictObject({ query_type: BillingInquiryTask.shape.query_type, invoice_number: LabelledId }),
  // the reason is free text the planner paraphrases: allowed in labels for readers, not scored
  z.strictObject({ query_type: ProductReturnTask.shape.query_type, product_name: LabelledId, reason_for_return: z.string().optional() }),
  z.strictObject({ query_type: StatusUpdateTask.shape.query_type, order_id: LabelledId }),
]);
export type ExpectedTask = z.infer<typeof ExpectedTask>;

/** One line of a labelled planning set: a customer message and the tasks it asks for (possibly none). */
export const LabelledMessage = z.object({
  q: z.string().trim().min(1),
  tasks: z.array(ExpectedTask).max(10),
});
export type LabelledMessage = z.infer<typeof LabelledMessage>;

const QUERY_TYPES = Object.keys(TASK_ID_FIELDS) as OrderQueryType[];

/** Task extraction counted over tasks: a predicted task is matched when an expected one of its type pairs with it. */
export interface TaskScore extends PrecisionRecall {
  expected: number;
  predicted: number;
  matched: number;
}

/** A message whose plan was not exactly right, and what was wrong with it. */
export interface PlanningMiss {
  /** The line in the labelled file (or the 1-based position, for an array). */
  line: number;
  /** Which trial (1-based) got it wrong, when each message ran more than once. */
  trial?: number;
  q: string;
  expected: ExpectedTask[];
  /** What the planner emitted, fields it left null dropped; empty when it failed. */
  predicted: Record<string, unknown>[];
  /** One sentence per difference: a missing task, an extra task, a wrong id. */
  problems: string[];
  /** Why the planner failed, when it did. */
  error?: string;
}

export interface PlanningReport {
  /** exactMatches / messages: every task found, none extra, every id right. */
  exactMatchRate: number;
  /** Plans made: messages × trials. */
  messages: number;
  exactMatches: number;
  /** Messages the planner failed on (invalid after repairs, or the call failed); they score no tasks. */
  failed: number;
  /** Task types over all messages. */
  tasks: TaskScore;
  perType: Record<OrderQueryType, TaskScore>;
  /** Among matched tasks: is the id (invoice_number, order_id, product_name) the labelled one, ignoring case and spaces? */
  ids: { compared: number; correct: number; accuracy: number | null };
  misses: PlanningMiss[];
}

/**
 * Reads a labelled planning set (JSON Lines of `{"q": "...", "tasks": [{"query_type": ..., <id>}]}`).
 * A bad line throws an `InputError` naming it.
 *
 * @example
 * const labelled = parseLabelledMessages(await readFile('order-messages.jsonl', 'utf8'), { source: 'order-messages.jsonl' });
 */
export function parseLabelledMessages(text: string, { source = 'the labelled set' }: { source?: string } = {}): NumberedLine<LabelledMessage>[] {
  return parseJsonLines(text, LabelledMessage, { source });
}

/** What `evaluatePlanning` measured: the generic eval (cases, trials, scorers) and the planner's own report. */
export interface PlanningEvaluation {
  result: EvalResult<string, Record<string, unknown>[], ExpectedTask[]>;
  report: PlanningReport;
}

/** How one plan compares with its labels. */
interface PlanComparison {
  pairs: { expected: ExpectedTask; predicted: Record<string, unknown> }[];
  missing: ExpectedTask[];
  extra: Record<string, unknown>[];
  /** Matched tasks whose id is the labelled one. */
  correctIds: number;
  /** One sentence per matched task with another id. */
  wrongIds: string[];
  /** One sentence per difference: the wrong ids, then the missing and the extra tasks. */
  problems: string[];
}

function comparePlan(expected: readonly ExpectedTask[], predicted: readonly Record<string, unknown>[]): PlanComparison {
  const { pairs, missing, extra } = matchTasks(expected, predicted);
  const wrongIds: string[] = [];
  for (const { expected: task, predicted: found } of pairs) {
    const field = TASK_ID_FIELDS[task.query_type];
    if (idKey(found[field]) !== idKey(idOfTask(task))) wrongIds.push(`${task.query_type}: ${field} ${quote(found[field])}, expected ${quote(idOfTask(task))}`);
  }
  const problems = [...wrongIds, ...missing.map((task) => `missing ${describeTask(task)}`), ...extra.map((task) => `extra ${describeTask(task)}`)];
  return { pairs, missing, extra, correctIds: pairs.length - wrongIds.length, wrongIds, problems };
}

type PlanScorer = Scorer<string, Record<string, unknown>[], ExpectedTask[]>;

/** 1 when the plan is exactly right: every task found, none extra, every id right. */
const exactPlan: PlanScorer = {
  name: 'exactPlan',
  score: ({ output, expected = [] }) => {
    const { problems } = comparePlan(expected, output);
    return problems.length === 0 ? 1 : { score: 0, reason: problems.join('; ') };
  },
};

/** The F1 of the plan's task types against the labels; 1 for a message that asks for nothing and gets nothing. */
const taskF1: PlanScorer = {
  name: 'taskF1',
  score: ({ output, expected = [] }) => {
    const { pairs, missing, extra } = comparePlan(expected, output);
    const total = expected.length + output.length;
    const score = total === 0 ? 1 : (2 * pairs.length) / total;
    if (score === 1) return 1;
    return { score, reason: [...missing.map((task) => `missing ${describeTask(task)}`), ...extra.map((task) => `extra ${describeTask(task)}`)].join('; ') };
  },
};

/** Among the tasks matched by type: the share whose id is the labelled one. Null when none matched. */
const idAccuracy: PlanScorer = {
  name: 'idAccuracy',
  score: ({ output, expected = [] }) => {
    const { pairs, correctIds, wrongIds } = comparePlan(expected, output);
    if (pairs.length === 0) return null;
    return wrongIds.length === 0 ? 1 : { score: correctIds / pairs.length, reason: wrongIds.join('; ') };
  },
};

const PLANNING_SCORERS = [exactPlan, taskF1, idAccuracy];

/** The names of a planning eval's scorers, for thresholds checked before anything runs. */
export const PLANNING_SCORER_NAMES: readonly string[] = PLANNING_SCORERS.map((scorer) => scorer.name);

/**
 * Measures the order planner's task extraction on labelled messages: plans each one in parallel
 * with the production planner step (no worker or synthesizer runs), `trials` times, pairs
 * predicted tasks with expected ones by type (and id, when several share a type), scores each plan
 * (`exactPlan`, `taskF1`, `idAccuracy`) and reports types, ids and whole plans over every trial.
 *
 * @example
 * const { result, report } = await evaluatePlanning(run, labelled);
 * console.log(result.scorers.exactPlan.mean, report.tasks.f1, report.ids.accuracy);
 */
export async function evaluatePlanning(
  run: Run,
  labelled: readonly (LabelledMessage & { line?: number })[],
  { trials = 1 }: { trials?: number } = {},
): Promise<PlanningEvaluation> {
  if (labelled.length === 0) throw new InputError('there are no labelled messages to evaluate');
  const result = await evaluate(run, {
    data: labelled.map((item, index) => ({ input: item.q, expected: item.tasks, label: `line ${item.line ?? index + 1}: ${item.q}` })),
    task: async (message, caseRun) => (await planOrderTasks(caseRun, message)).planned,
    scorers: PLANNING_SCORERS,
    trials,
  });
  return { result, report: summarizePlanning(labelled, result) };
}

/** The planner's report over every trial of every case: each trial is one plan. */
function summarizePlanning(labelled: readonly (LabelledMessage & { line?: number })[], result: PlanningEvaluation['result']): PlanningReport {
  const counts = Object.fromEntries(QUERY_TYPES.map((type) => [type, { expected: 0, predicted: 0, matched: 0 }])) as Record<
    OrderQueryType,
    { expected: number; predicted: number; matched: number }
  >;
  const ids = { compared: 0, correct: 0 };
  const misses: PlanningMiss[] = [];
  let failed = 0;
  labelled.forEach((item, index) => {
    result.cases[index]!.trials.forEach((trial, trialIndex) => {
      const predicted = trial.output ?? [];
      const error = trial.error;
      if (error !== undefined) failed += 1;
      const comparison = comparePlan(item.tasks, predicted);
      for (const task of item.tasks) counts[task.query_type].expected += 1;
      for (const task of predicted) if (isQueryType(task.query_type)) counts[task.query_type].predicted += 1;
      for (const { expected } of comparison.pairs) counts[expected.query_type].matched += 1;
      ids.compared += comparison.pairs.length;
      ids.correct += comparison.correctIds;
      const problems = error === undefined ? comparison.problems : [`the planner failed: ${error}`, ...comparison.problems];
      if (problems.length > 0) {
        misses.push({
          line: item.line ?? index + 1,
          ...(result.trials > 1 ? { trial: trialIndex + 1 } : {}),
          q: item.q,
          expected: item.tasks,
          predicted,
          problems,
          ...(error === undefined ? {} : { error }),
        });
      }
    });
  });

  const score = ({ expected, predicted, matched }: { expected: number; predicted: number; matched: number }): TaskScore => ({
    expected,
    predicted,
    matched,
    ...precisionRecall({ correct: matched, predicted, expected }),
  });
  const total = (key: 'expected' | 'predicted' | 'matched'): number => QUERY_TYPES.reduce((sum, type) => sum + counts[type][key], 0);
  const plans = labelled.length * result.trials;
  const exactMatches = plans - misses.length;
  return {
    exactMatchRate: exactMatches / plans,
    messages: plans,
    exactMatches,
    failed,
    tasks: score({ expected: total('expected'), predicted: total('predicted'), matched: total('matched') }),
    perType: Object.fromEntries(QUERY_TYPES.map((type) => [type, score(counts[type])])) as Record<OrderQueryType, TaskScore>,
    ids: { ...ids, accuracy: ids.compared === 0 ? null : ids.correct / ids.compared },
    misses,
  };
}

/**
 * Pairs predicted tasks with expected ones of the same type: first those whose ids agree, then the
 * rest in order, so "INV-7890 and INV-7891" planned in the other order still scores both right.
 */
function matchTasks(
  expected: readonly ExpectedTask[],
  predicted: readonly Record<string, unknown>[],
): { pairs: { expected: ExpectedTask; predicted: Record<string, unknown> }[]; missing: ExpectedTask[]; extra: Record<string, unknown>[] } {
  const unused = new Set(predicted.keys());
  const pairs: { expected: ExpectedTask; predicted: Record<string, unknown> }[] = [];
  const claim = (task: ExpectedTask, accepts: (candidate: Record<string, unknown>) => boolean): boolean => {
    const index = [...unused].find((candidate) => predicted[candidate]!.query_type === task.query_type && accepts(predicted[candidate]!));
    if (index === undefined) return false;
    unused.delete(index);
    pairs.push({ expected: task, predicted: predicted[index]! });
    return true;
  };
  const unmatched = expected.filter((task) => !claim(task, (candidate) => idKey(candidate[TASK_ID_FIELDS[task.query_type]]) === idKey(idOfTask(task))));
  const missing = unmatched.filter((task) => !claim(task, () => true));
  return { pairs, missing, extra: [...unused].map((index) => predicted[index]!) };
}

/** Ids compare ignoring case and spaces, as the order store looks them up ("superwidget5000" is "SuperWidget 5000"). */
function idKey(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.toLowerCase().replace(/\s+/g, '') : null;
}

function isQueryType(value: unknown): value is OrderQueryType {
  return typeof value === 'string' && value in TASK_ID_FIELDS;
}

function describeTask(task: Record<string, unknown>): string {
  const type = task.query_type;
  if (!isQueryType(type)) return JSON.stringify(task);
  const field = TASK_ID_FIELDS[type];
  return `${type} (${field} ${quote(task[field])})`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : 'none';
}
