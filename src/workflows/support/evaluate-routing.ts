import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { evaluate } from '../../core/evaluate.js';
import type { Run } from '../../core/run.js';
import type { Scorer } from '../../core/score-trial.js';
import type { EvalResult } from '../../core/summarize-eval.js';
import { parseJsonLines, type NumberedLine } from '../parse-json-lines.js';
import { precisionRecall, type PrecisionRecall } from '../precision-recall.js';
import { classifyQuery, type ClassifiedQuery } from './classify-query.js';
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
  /** Which trial (1-based) missed, when each query ran more than once. */
  trial?: number;
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
  /** Classifications: queries × trials. */
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

/** What `evaluateRouting` measured: the generic eval (cases, trials, the `accuracy` scorer) and the router's own report. */
export interface RoutingEvaluation {
  result: EvalResult<string, ClassifiedQuery, string>;
  report: RoutingReport;
}

/** 1 when the query went to its labelled intent; a fallback is a miss. */
const accuracy: Scorer<string, ClassifiedQuery, string> = {
  name: 'accuracy',
  score: ({ output, expected }) => {
    if (output.fellBack) return { score: 0, reason: `the classification failed, so it fell back to ${output.intent}${output.reason ? `: ${output.reason}` : ''}` };
    return output.intent === expected ? 1 : { score: 0, reason: `expected ${expected ?? '?'}, got ${output.intent}` };
  },
};

/** The names of a routing eval's scorers, for thresholds checked before anything runs. */
export const ROUTING_SCORER_NAMES: readonly string[] = [accuracy.name];

/**
 * Measures the support router's classifier on labelled queries: classifies each one in parallel
 * with the production classification step (no handler runs), `trials` times, scores it with the
 * `accuracy` scorer, and reports accuracy, per-intent precision and recall, the confusion matrix
 * and the misses, counted over every trial.
 *
 * @example
 * const { result, report } = await evaluateRouting(run, labelled, await loadRouterConfig(), { trials: 3 });
 * console.log(result.scorers.accuracy.mean, result.scorers.accuracy.stddev, report.confusion['Billing Inquiry']);
 */
export async function evaluateRouting(
  run: Run,
  labelled: readonly (LabelledQuery & { line?: number })[],
  config: RouterConfig,
  { trials = 1 }: { trials?: number } = {},
): Promise<RoutingEvaluation> {
  if (labelled.length === 0) throw new InputError('there are no labelled queries to evaluate');
  checkLabels(labelled, config, 'the labelled set');
  const result = await evaluate(run, {
    data: labelled.map((item, index) => ({ input: item.q, expected: item.intent, label: `line ${item.line ?? index + 1}: ${item.q}` })),
    task: (query, caseRun) => classifyQuery(caseRun, query, config),
    scorers: [accuracy],
    trials,
  });
  return { result, report: summarizeRouting(labelled, result, config) };
}

/** The router's report over every trial of every case: each trial is one classification. */
function summarizeRouting(labelled: readonly (LabelledQuery & { line?: number })[], result: EvalResult<string, ClassifiedQuery, string>, config: RouterConfig): RoutingReport {
  const names = config.intents.map((intent) => intent.name);
  const confusion = Object.fromEntries(names.map((name) => [name, Object.fromEntries([...names, FALLBACK_COLUMN].map((column) => [column, 0]))]));
  const misses: RoutingMiss[] = [];
  labelled.forEach((item, index) => {
    result.cases[index]!.trials.forEach((trial, trialIndex) => {
      const output = trial.output;
      const isClassified = output !== undefined && !output.fellBack;
      const predicted = isClassified ? output.intent : FALLBACK_COLUMN;
      confusion[item.intent]![predicted]! += 1;
      if (predicted === item.intent) return;
      const reason = output === undefined ? trial.error : output.reason;
      misses.push({
        line: item.line ?? index + 1,
        ...(result.trials > 1 ? { trial: trialIndex + 1 } : {}),
        q: item.q,
        expected: item.intent,
        predicted,
        ...(reason === undefined ? {} : { reason }),
      });
    });
  });

  const perIntent = Object.fromEntries(
    names.map((name): [string, IntentScore] => {
      const expected = sum(Object.values(confusion[name]!));
      const predicted = sum(names.map((row) => confusion[row]![name]!));
      const correct = confusion[name]![name]!;
      return [name, { expected, predicted, correct, ...precisionRecall({ correct, predicted, expected }) }];
    }),
  );
  const total = labelled.length * result.trials;
  const correct = total - misses.length;
  return {
    accuracy: correct / total,
    total,
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

