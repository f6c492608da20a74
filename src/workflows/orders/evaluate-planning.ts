import { z } from 'zod';
import { cancellationError, InputError } from '../../core/errors.js';
import type { Run } from '../../core/run.js';
import { parseJsonLines, type NumberedLine } from '../parse-json-lines.js';
import { precisionRecall, type PrecisionRecall } from '../precision-recall.js';
import { BillingInquiryTask, ProductReturnTask, StatusUpdateTask, type OrderQueryType } from './order-tasks.js';
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

/** The field that identifies the record each task type acts on. */
export const ID_FIELDS = {
  'Billing Inquiry': 'invoice_number',
  'Product Return': 'product_name',
  'Status Update': 'order_id',
} as const satisfies Record<OrderQueryType, string>;

const QUERY_TYPES = Object.keys(ID_FIELDS) as OrderQueryType[];

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

/**
 * Measures the order planner's task extraction on labelled messages: plans each one in parallel
 * with the production planner step (no worker or synthesizer runs), pairs predicted tasks with
 * expected ones by type (and id, when several share a type), and scores types, ids and whole plans.
 *
 * @example
 * const report = await runtime.group('eval-orchestrate', (run) => evaluatePlanning(run, labelled));
 * console.log(report.exactMatchRate, report.tasks.f1, report.ids.accuracy);
 */
export async function evaluatePlanning(run: Run, labelled: readonly (LabelledMessage & { line?: number })[]): Promise<PlanningReport> {
  if (labelled.length === 0) throw new InputError('there are no labelled messages to evaluate');
  const results = await run.parallel(labelled, (item, messageRun) => planOrderTasks(messageRun, item.q), { name: 'message' });
  // a cancelled evaluation measured only part of the set: its numbers would mislead
  if (run.signal.aborted) throw cancellationError(run.signal);

  const counts = Object.fromEntries(QUERY_TYPES.map((type) => [type, { expected: 0, predicted: 0, matched: 0 }])) as Record<
    OrderQueryType,
    { expected: number; predicted: number; matched: number }
  >;
  const ids = { compared: 0, correct: 0 };
  const misses: PlanningMiss[] = [];
  let failed = 0;
  labelled.forEach((item, index) => {
    const result = results[index]!;
    const predicted = result.ok ? result.value.planned : [];
    const error = result.ok ? undefined : result.error instanceof Error ? result.error.message : String(result.error);
    if (!result.ok) failed += 1;
    const { pairs, missing, extra } = matchTasks(item.tasks, predicted);
    for (const task of item.tasks) counts[task.query_type].expected += 1;
    for (const task of predicted) if (isQueryType(task.query_type)) counts[task.query_type].predicted += 1;
    const problems: string[] = error === undefined ? [] : [`the planner failed: ${error}`];
    for (const { expected, predicted: found } of pairs) {
      counts[expected.query_type].matched += 1;
      ids.compared += 1;
      const field = ID_FIELDS[expected.query_type];
      if (idKey(found[field]) === idKey(expectedId(expected))) ids.correct += 1;
      else problems.push(`${expected.query_type}: ${field} ${quote(found[field])}, expected ${quote(expectedId(expected))}`);
    }
    for (const task of missing) problems.push(`missing ${describeTask(task)}`);
    for (const task of extra) problems.push(`extra ${describeTask(task)}`);
    if (problems.length > 0) {
      misses.push({ line: item.line ?? index + 1, q: item.q, expected: item.tasks, predicted, problems, ...(error === undefined ? {} : { error }) });
    }
  });

  const score = ({ expected, predicted, matched }: { expected: number; predicted: number; matched: number }): TaskScore => ({
    expected,
    predicted,
    matched,
    ...precisionRecall({ correct: matched, predicted, expected }),
  });
  const total = (key: 'expected' | 'predicted' | 'matched'): number => QUERY_TYPES.reduce((sum, type) => sum + counts[type][key], 0);
  const exactMatches = labelled.length - misses.length;
  return {
    exactMatchRate: exactMatches / labelled.length,
    messages: labelled.length,
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
  const unmatched = expected.filter((task) => !claim(task, (candidate) => idKey(candidate[ID_FIELDS[task.query_type]]) === idKey(expectedId(task))));
  const missing = unmatched.filter((task) => !claim(task, () => true));
  return { pairs, missing, extra: [...unused].map((index) => predicted[index]!) };
}

function expectedId(task: ExpectedTask): string | null {
  switch (task.query_type) {
    case 'Billing Inquiry':
      return task.invoice_number;
    case 'Product Return':
      return task.product_name;
    case 'Status Update':
      return task.order_id;
  }
}

/** Ids compare ignoring case and spaces, as the order store looks them up ("superwidget5000" is "SuperWidget 5000"). */
function idKey(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.toLowerCase().replace(/\s+/g, '') : null;
}

function isQueryType(value: unknown): value is OrderQueryType {
  return typeof value === 'string' && value in ID_FIELDS;
}

function describeTask(task: Record<string, unknown>): string {
  const type = task.query_type;
  if (!isQueryType(type)) return JSON.stringify(task);
  const field = ID_FIELDS[type];
  return `${type} (${field} ${quote(task[field])})`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : 'none';
}
