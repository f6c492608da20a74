import type { ScoreStats } from './summarize-eval.js';

/** How a case moved against the baseline. `added`: only in this eval; `removed`: only in the baseline. */
export type CaseChange = 'improved' | 'regressed' | 'unchanged' | 'added' | 'removed';

/** A scorer's mean in the baseline and now. `delta` is current − baseline; null when either side has none. */
export interface ScoreDelta {
  baseline: number | null;
  current: number | null;
  delta: number | null;
}

export interface CaseDiff {
  id: string;
  label: string;
  change: CaseChange;
  /** Per scorer of either eval. */
  scores: Record<string, ScoreDelta>;
}

/** An eval against its baseline: each case's change, how many moved each way, and each scorer's delta. */
export interface EvalDiff {
  /** In this eval's case order; removed cases last. */
  cases: CaseDiff[];
  counts: Record<CaseChange, number>;
  scorers: Record<string, ScoreDelta>;
}

/** What a diff needs of an eval: the `EvalResult` of `evaluate`, or one read back from a stored report. */
export interface ComparableEval {
  scorers: Record<string, Pick<ScoreStats, 'mean'>>;
  cases: readonly { id: string; label: string; scores: Record<string, Pick<ScoreStats, 'mean'>> }[];
}

/** Smaller differences are floating-point noise, not a change. */
const EPSILON = 1e-9;

/**
 * Compares an eval with a baseline, case by case (paired by id): a case is `regressed` when any
 * scorer's mean went down, `improved` when none went down and one went up, else `unchanged`.
 * O(cases × scorers).
 *
 * @example
 * const diff = compareEvals(result, baseline);
 * console.log(diff.counts.regressed, diff.scorers.accuracy.delta);
 */
export function compareEvals(current: ComparableEval, baseline: ComparableEval): EvalDiff {
  const names = [...new Set([...Object.keys(current.scorers), ...Object.keys(baseline.scorers)])];
  const earlier = new Map(baseline.cases.map((item) => [item.id, item]));
  const now = new Set(current.cases.map((item) => item.id));
  const cases: CaseDiff[] = current.cases.map((item) => {
    const before = earlier.get(item.id);
    if (!before) return { id: item.id, label: item.label, change: 'added', scores: deltas(names, item.scores, {}) };
    const scores = deltas(names, item.scores, before.scores);
    const moves = Object.values(scores).flatMap((score) => (score.delta === null ? [] : [score.delta]));
    const change = moves.some((delta) => delta < -EPSILON) ? 'regressed' : moves.some((delta) => delta > EPSILON) ? 'improved' : 'unchanged';
    return { id: item.id, label: item.label, change, scores };
  });
  for (const item of baseline.cases) {
    if (!now.has(item.id)) cases.push({ id: item.id, label: item.label, change: 'removed', scores: deltas(names, {}, item.scores) });
  }
  const counts: Record<CaseChange, number> = { improved: 0, regressed: 0, unchanged: 0, added: 0, removed: 0 };
  for (const item of cases) counts[item.change] += 1;
  return { cases, counts, scorers: deltas(names, current.scorers, baseline.scorers) };
}

function deltas(
  names: readonly string[],
  current: Record<string, Pick<ScoreStats, 'mean'>>,
  baseline: Record<string, Pick<ScoreStats, 'mean'>>,
): Record<string, ScoreDelta> {
  return Object.fromEntries(
    names.map((name) => {
      const now = current[name]?.mean ?? null;
      const before = baseline[name]?.mean ?? null;
      return [name, { baseline: before, current: now, delta: now === null || before === null ? null : now - before }];
    }),
  );
}
