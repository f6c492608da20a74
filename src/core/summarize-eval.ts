import type { Score } from './score-trial.js';

/** One trial of one case: what the task gave (or why it failed) and each scorer's verdict. */
export interface EvalTrial<Output = unknown> {
  /** Absent when the task failed. */
  output?: Output;
  /** Why the task failed; every scorer then scores 0. */
  error?: string;
  scores: Record<string, Score>;
  /** The trial's position in the run: the journal keys of its steps start with it. */
  path: string;
}

/** One scorer over trials: their mean and how far they spread. Null when nothing was scored. */
export interface ScoreStats {
  mean: number | null;
  /**
   * The spread: for a case, the standard deviation of its trials' scores; for the whole eval, the
   * standard deviation of each trial's mean over the cases, i.e. how much the eval's score moves
   * from one repetition to the next. 0 with one trial.
   */
  stddev: number | null;
  /** The lowest and highest trial score (a case) or trial mean (the eval). */
  min: number | null;
  max: number | null;
  /** Scores counted (the ones not null). */
  count: number;
  /** Scores the scorer failed to give (a judge call that failed). */
  errors: number;
}

/** One case of an eval, with its trials. */
export interface EvalCaseResult<Input = unknown, Output = unknown, Expected = unknown> {
  /** Pairs the case with the same case of a baseline. */
  id: string;
  label: string;
  input: Input;
  expected?: Expected;
  trials: EvalTrial<Output>[];
  /** Per scorer, over this case's trials. */
  scores: Record<string, ScoreStats>;
  /** The case's position in the run: the journal keys of its steps start with it. */
  path: string;
}

/** What an eval measured: per scorer over every case and trial, and each case. */
export interface EvalResult<Input = unknown, Output = unknown, Expected = unknown> {
  /** Trials per case. */
  trials: number;
  /** Per scorer, in the scorers' order. */
  scorers: Record<string, ScoreStats>;
  cases: EvalCaseResult<Input, Output, Expected>[];
}

/**
 * The statistics of an eval from its cases' trials: per case and scorer over the trials, and per
 * scorer over the eval. O(cases × trials × scorers).
 */
export function summarizeEval<Input, Output, Expected>(
  cases: readonly Omit<EvalCaseResult<Input, Output, Expected>, 'scores'>[],
  scorerNames: readonly string[],
  trials: number,
): EvalResult<Input, Output, Expected> {
  const withStats = cases.map((item) => ({
    ...item,
    scores: Object.fromEntries(scorerNames.map((name) => [name, statsOf(item.trials.map((trial) => trial.scores[name]), (values) => values)])),
  }));
  const scorers = Object.fromEntries(
    scorerNames.map((name) => {
      const all = cases.flatMap((item) => item.trials.map((trial) => trial.scores[name]));
      // the eval's spread is across repetitions: the mean of trial k over all cases, for each k
      const trialMeans = Array.from({ length: trials }, (_, trial) => mean(values(cases.map((item) => item.trials[trial]?.scores[name]))));
      return [name, statsOf(all, () => trialMeans.filter((value): value is number => value !== null))];
    }),
  );
  return { trials, scorers, cases: withStats };
}

/** Stats of some scores; `spreadOver` picks the values whose deviation, min and max are reported. */
function statsOf(scores: readonly (Score | undefined)[], spreadOver: (values: number[]) => number[]): ScoreStats {
  const counted = values(scores);
  const errors = scores.filter((score) => score?.error !== undefined).length;
  const spread = spreadOver(counted);
  if (counted.length === 0 || spread.length === 0) return { mean: null, stddev: null, min: null, max: null, count: 0, errors };
  const average = mean(counted)!;
  const spreadMean = mean(spread)!;
  const variance = spread.reduce((total, value) => total + (value - spreadMean) ** 2, 0) / spread.length;
  return { mean: average, stddev: Math.sqrt(variance), min: Math.min(...spread), max: Math.max(...spread), count: counted.length, errors };
}

function values(scores: readonly (Score | undefined)[]): number[] {
  return scores.flatMap((score) => (score?.score === null || score?.score === undefined ? [] : [score.score]));
}

function mean(numbers: readonly number[]): number | null {
  return numbers.length === 0 ? null : numbers.reduce((total, value) => total + value, 0) / numbers.length;
}
