import { checkEvalGate, type EvalGate } from './check-eval-gate.js';
import { compareEvals, type EvalDiff } from './compare-evals.js';
import type { EvalCaseResult, EvalResult, ScoreStats } from './summarize-eval.js';

/**
 * One eval as it is stored, printed by `braid eval … --json` and shown by `braid view`: what ran,
 * the scores, the diff against the baseline and the gate. Its shape is the same for every eval;
 * `details` holds what only that kind of eval reports (a confusion matrix, the FAQ itself).
 */
export interface EvalReport {
  /** The shape's version: a reader refuses a report from a newer braid rather than misread it. */
  version: 1;
  eval: {
    /** The eval's run id: `braid view <id>`, `--baseline <id>`. */
    id: string;
    /** What was measured: `route`, `orchestrate`, `faq`, or a library user's name. */
    kind: string;
    /** What it was measured on (a labelled file, a folder of documents); `--baseline last` looks for the same. */
    dataset: string;
    model: string;
    /** The model that judged, when a scorer asks one. */
    judge?: string;
    /** Trials per case. */
    trials: number;
    /** ISO 8601. */
    createdAt: string;
  };
  /** Per scorer over every case and trial, in the scorers' order. */
  scorers: Record<string, ScoreStats>;
  /** The thresholds the gate held the scorers to. */
  thresholds: Record<string, number>;
  cases: EvalCaseResult[];
  /** The diff against the baseline eval, when one was named and found. */
  baseline: ({ id: string } & EvalDiff) | null;
  gate: EvalGate;
  details?: unknown;
}

/** The version of `EvalReport` this braid writes and reads. */
export const EVAL_REPORT_VERSION = 1;

export interface CreateEvalReportOptions {
  /** The eval's run id (`run.runId`). */
  id: string;
  kind: string;
  dataset: string;
  /** The model under test, as a spec (`openai:gpt-4.1-mini`). */
  model: string;
  judge?: string;
  /** An earlier report to compare with (`store.findLastEval`, `store.getEval`). */
  baseline?: EvalReport;
  /** @default {} */
  thresholds?: Record<string, number>;
  maxRegressions?: number;
  details?: unknown;
  /** @default now */
  createdAt?: Date;
}

/**
 * Turns what `evaluate` measured into the report braid stores and shows: compares it with the
 * baseline (when given) and decides the gate. `store.saveEval(report)` keeps it for `braid view`
 * and for the next eval's `--baseline`.
 *
 * @throws {InputError} when a threshold names a scorer the eval does not have.
 * @example
 * const report = createEvalReport(result, { id: run.runId, kind: 'capitals', dataset: 'capitals.jsonl', model: 'openai:gpt-4.1-mini',
 *   baseline: store.findLastEval({ kind: 'capitals', dataset: 'capitals.jsonl' }), thresholds: { exact: 0.9 } });
 * store.saveEval(report);
 * if (report.gate.status === 'failed') process.exitCode = 1;
 */
export function createEvalReport(
  result: EvalResult,
  { id, kind, dataset, model, judge, baseline, thresholds = {}, maxRegressions, details, createdAt = new Date() }: CreateEvalReportOptions,
): EvalReport {
  const diff = baseline === undefined ? undefined : compareEvals(result, baseline);
  return {
    version: EVAL_REPORT_VERSION,
    eval: { id, kind, dataset, model, ...(judge === undefined ? {} : { judge }), trials: result.trials, createdAt: createdAt.toISOString() },
    scorers: result.scorers,
    thresholds,
    cases: result.cases,
    baseline: baseline === undefined || diff === undefined ? null : { id: baseline.eval.id, ...diff },
    gate: checkEvalGate(result, { thresholds, maxRegressions, diff }),
    ...(details === undefined ? {} : { details }),
  };
}
