import type { EvalGate } from './check-eval-gate.js';
import type { EvalDiff } from './compare-evals.js';
import type { EvalCaseResult, ScoreStats } from './summarize-eval.js';

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
