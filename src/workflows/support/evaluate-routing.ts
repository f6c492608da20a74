import { z } from 'zod';
import { cancellationError, InputError } from '../../core/errors.js';
import type { Run } from '../../core/run.js';
import { parseJsonLines, type NumberedLine } from '../parse-json-lines.js';
import { precisionRecall, type PrecisionRecall } from '../precision-recall.js';
import { classifyQuery } from './classify-query.js';
import type { RouterConfig } from './support-intents.js';

/** One line of a labelled routing set: a query and the intent it should go to. Other fields (a note) are ignored. */
export const LabelledQuery = z.object({
  q: z.string().trim().min(1),
  intent: z.string().trim().min(1),
});
export type LabelledQuery = z.infer<typeof LabelledQuery>;

/** The confusion-matrix column of queries the classifier failed on, so they took the fallback route. */
export const FALLBACK_COLUMN = '(fallback)';

/** How well one intent was recognised. */
export interface IntentScore extends PrecisionRecall {
  /** Queries labelled with this intent. */
  expected: number;
  /** Queries the classifier put here (fallbacks not counted). */
  predicted: number;
  correct: number;
}

/** A query the classifier got wrong. */
export interface RoutingMiss {
  /** The line in the labelled file (or the 1-based position, for an array). */
  line: number;
  q: string;
  expected: string;
  /** The intent it went to, or `FALLBACK_COLUMN` when the classification failed. */
  predicted: string;
  /** Why the classification failed, for a fallback. */
  reason?: string;
}

export interface RoutingReport {
  /** correct / total. A fallback counts as wrong even when the fallback intent was the label. */
  accuracy: number;
  total: number;
  correct: number;
  /** Queries whose classification failed (invalid after repairs, or the call failed). */
  fellBack: number;
  /** Per configured intent, in config order. */
  perIntent: Record<string, IntentScore>;
  /** confusion[expected][predicted]: rows are the intents, columns the intents and then `FALLBACK_COLUMN`. */
  confusion: Record<string, Record<string, number>>;
  misses: RoutingMiss[];
}

/**
 * Reads a labelled routing set (JSON Lines of `{"q": "...", "intent": "..."}`). A bad line, or a
 * label that is not one of the configured intents, throws an `InputError` naming the line.
 *
 * @example
 * const labelled = parseLabelledQueries(await readFile('support-queries.jsonl', 'utf8'), config, { source: 'support-queries.jsonl' });
 */
export function parseLabelledQueries(text: string, config: RouterConfig, { source = 'the labelled set' }: { source?: string } = {}): NumberedLine<LabelledQuery>[] {
  const labelled = parseJsonLines(text, LabelledQuery, { source });
  checkLabels(labelled, config, source);
  return labelled;
}

/**
 * Measures the support router's classifier on labelled queries: classifies each one in parallel
 * with the production classification step (no handler runs), then scores accuracy, per-intent
 * precision and recall, the confusion matrix and the misses.
 *
 * @example
 * const report = await runtime.group('eval-route', (run) => evaluateRouting(run, labelled, await loadRouterConfig()));
 * console.log(report.accuracy, report.confusion['Billing Inquiry']);
 */
export async function evaluateRouting(
  run: Run,
  labelled: readonly (LabelledQuery & { line?: number })[],
  config: RouterConfig,
): Promise<RoutingReport> {
  if (labelled.length === 0) throw new InputError('there are no labelled queries to evaluate');
  checkLabels(labelled, config, 'the labelled set');
  const results = await run.parallel(labelled, (item, queryRun) => classifyQuery(queryRun, item.q, config), { name: 'query' });
  // a cancelled evaluation measured only part of the set: its numbers would mislead
  if (run.signal.aborted) throw cancellationError(run.signal);

  const names = config.intents.map((intent) => intent.name);
  const confusion = Object.fromEntries(names.map((name) => [name, Object.fromEntries([...names, FALLBACK_COLUMN].map((column) => [column, 0]))]));
  const misses: RoutingMiss[] = [];
  labelled.forEach((item, index) => {
    const result = results[index]!;
    const isClassified = result.ok && !result.value.fellBack;
    const predicted = isClassified ? result.value.intent : FALLBACK_COLUMN;
    confusion[item.intent]![predicted]! += 1;
    if (predicted === item.intent) return;
    const reason = result.ok ? result.value.reason : result.error instanceof Error ? result.error.message : String(result.error);
    misses.push({ line: item.line ?? index + 1, q: item.q, expected: item.intent, predicted, ...(reason === undefined ? {} : { reason }) });
  });

  const perIntent = Object.fromEntries(
    names.map((name): [string, IntentScore] => {
      const expected = sum(Object.values(confusion[name]!));
      const predicted = sum(names.map((row) => confusion[row]![name]!));
      const correct = confusion[name]![name]!;
      return [name, { expected, predicted, correct, ...precisionRecall({ correct, predicted, expected }) }];
    }),
  );
  const correct = labelled.length - misses.length;
  return {
    accuracy: correct / labelled.length,
    total: labelled.length,
    correct,
    fellBack: sum(names.map((name) => confusion[name]![FALLBACK_COLUMN]!)),
    perIntent,
    confusion,
    misses,
  };
}

/** Every label must be an intent the router can answer with, or the scores would be meaningless. */
function checkLabels(labelled: readonly (LabelledQuery & { line?: number })[], { intents }: RouterConfig, source: string): void {
  const names = new Set(intents.map((intent) => intent.name));
  labelled.forEach((item, index) => {
    if (names.has(item.intent)) return;
    throw new InputError(
      `${source} line ${item.line ?? index + 1}: "${item.intent}" is not one of the intents (${[...names].join(', ')}); add it with --config or fix the label`,
    );
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

