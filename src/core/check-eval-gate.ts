import type { EvalDiff } from './compare-evals.js';
import { InputError } from './errors.js';
import type { ScoreStats } from './summarize-eval.js';

export interface EvalGateOptions {
  /** The least mean each named scorer must reach, 0…1. @default {} */
  thresholds?: Record<string, number>;
  /** The most cases that may regress against the baseline (needs `diff`). */
  maxRegressions?: number;
  /** The eval against its baseline (`compareEvals`); without it, `maxRegressions` has nothing to count. */
  diff?: EvalDiff;
}

/** One reason an eval fails its gate. */
export interface EvalGateFailure {
  kind: 'threshold' | 'regressions' | 'missing-scores';
  /** The scorer it is about (not for `regressions`). */
  scorer?: string;
  /** E.g. `accuracy 0.833 < 0.9`. */
  message: string;
}

/** `none`: no threshold and no regression limit was set, so there was nothing to pass or fail. */
export interface EvalGate {
  status: 'passed' | 'failed' | 'none';
  failures: EvalGateFailure[];
  /** The failures in one line, naming the failing scorers; absent when it passed. */
  reason?: string;
}

/**
 * Decides whether an eval may pass a CI gate: each thresholded scorer's mean must reach its
 * threshold and have no missing scores (a judge that failed is not a pass), and at most
 * `maxRegressions` cases may have regressed against the baseline.
 *
 * @throws {InputError} when a threshold names a scorer the eval does not have, or is outside 0…1.
 * @example
 * const gate = checkEvalGate(result, { thresholds: { accuracy: 0.9 }, maxRegressions: 0, diff });
 * if (gate.status === 'failed') throw new Error(gate.reason);
 */
export function checkEvalGate(result: { scorers: Record<string, ScoreStats> }, { thresholds = {}, maxRegressions, diff }: EvalGateOptions = {}): EvalGate {
  checkThresholds(thresholds, Object.keys(result.scorers));
  if (maxRegressions !== undefined && (!Number.isInteger(maxRegressions) || maxRegressions < 0)) {
    throw new InputError(`maxRegressions must be a whole number of at least 0, not ${maxRegressions}`);
  }
  const failures: EvalGateFailure[] = [];
  for (const [scorer, threshold] of Object.entries(thresholds)) {
    const stats = result.scorers[scorer]!;
    if (stats.mean === null) failures.push({ kind: 'threshold', scorer, message: `${scorer} has no scores (threshold ${threshold})` });
    else if (stats.mean < threshold) failures.push({ kind: 'threshold', scorer, message: `${scorer} ${round(stats.mean)} < ${threshold}` });
    if (stats.errors > 0) failures.push({ kind: 'missing-scores', scorer, message: `${scorer} is missing ${stats.errors} score${stats.errors === 1 ? '' : 's'} (the scorer failed)` });
  }
  if (maxRegressions !== undefined && diff !== undefined && diff.counts.regressed > maxRegressions) {
    failures.push({ kind: 'regressions', message: `${diff.counts.regressed} case${diff.counts.regressed === 1 ? '' : 's'} regressed (at most ${maxRegressions} allowed)` });
  }
  const isGated = Object.keys(thresholds).length > 0 || maxRegressions !== undefined;
  if (failures.length > 0) return { status: 'failed', failures, reason: failures.map((failure) => failure.message).join('; ') };
  return { status: isGated ? 'passed' : 'none', failures };
}

/** A threshold on a scorer the eval lacks would pass or fail by accident: refuse it up front. */
export function checkThresholds(thresholds: Record<string, number>, scorerNames: readonly string[]): void {
  for (const [scorer, threshold] of Object.entries(thresholds)) {
    if (!scorerNames.includes(scorer)) throw new InputError(`no scorer "${scorer}" to hold to a threshold; this eval has ${scorerNames.join(', ')}`);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) throw new InputError(`the threshold of ${scorer} must be from 0 to 1, not ${threshold}`);
  }
}

function round(value: number): string {
  return String(Number(value.toFixed(3)));
}
