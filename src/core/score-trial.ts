import { cancellationError } from './errors.js';
import type { Run } from './run.js';

/** What a scorer is handed for one trial of one case. */
export interface ScorerContext<Input, Output, Expected> {
  input: Input;
  output: Output;
  expected: Expected | undefined;
  /**
   * The scorer's own scope in the trial: a judge's `run.step` is limited, retried, repaired,
   * journaled, cached and traced like any step of the workflow.
   */
  run: Run;
}

/** A scorer's answer: 0…1, a boolean (1 or 0), null (does not apply to this case), or one of those with a reason. */
export type ScoreAnswer = number | boolean | null | { score: number | boolean | null; reason?: string };

/**
 * Scores one output: code (an exact match, a count) or a judge (a step asking a model). Its name
 * keys the score in reports, thresholds (`--threshold name=0.9`) and baseline diffs.
 *
 * @example
 * const exact: Scorer<string, string, string> = { name: 'exact', score: ({ output, expected }) => output === expected };
 */
export interface Scorer<Input = unknown, Output = unknown, Expected = unknown> {
  /** Letters, digits, `_`, `-` and `.`, starting with a letter; unique among an eval's scorers. */
  name: string;
  score(context: ScorerContext<Input, Output, Expected>): ScoreAnswer | Promise<ScoreAnswer>;
}

/** One scorer's verdict on one trial. */
export interface Score {
  /** 0…1; null when the scorer does not apply to the case, or could not score it (`error`). */
  score: number | null;
  /** Why, in a sentence: a judge's reason, or what a code scorer found wrong. */
  reason?: string;
  /** The scorer itself failed (a judge call that failed after its retries); the score is missing, not zero. */
  error?: string;
}

const SCORER_NAME = /^[A-Za-z][\w.-]*$/;

/** Scorer names must work as `--threshold name=value` keys and as report columns, once each. */
export function checkScorerNames(scorers: readonly { name: string }[]): void {
  if (scorers.length === 0) throw new TypeError('an eval needs at least one scorer');
  const seen = new Set<string>();
  for (const { name } of scorers) {
    if (!SCORER_NAME.test(name)) throw new TypeError(`scorer name "${name}" must start with a letter and hold only letters, digits, _, - and .`);
    if (seen.has(name)) throw new TypeError(`two scorers are named "${name}"`);
    seen.add(name);
  }
}

/**
 * Runs every scorer on one output, each in its own scope `score[name]`, and settles each on its
 * own: a judge that fails leaves a missing score with its error, never a zero, and never sinks the
 * other scorers.
 */
export async function scoreTrial<Input, Output, Expected>(
  run: Run,
  scorers: readonly Scorer<Input, Output, Expected>[],
  { input, output, expected }: { input: Input; output: Output; expected: Expected | undefined },
): Promise<Record<string, Score>> {
  const scores = await Promise.all(
    scorers.map(async (scorer): Promise<Score> => {
      try {
        const answer = await run.group(`score[${scorer.name}]`, (scoreRun) => Promise.resolve(scorer.score({ input, output, expected, run: scoreRun })));
        return toScore(answer, scorer.name);
      } catch (error) {
        if (run.signal.aborted) throw cancellationError(run.signal);
        return { score: null, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  return Object.fromEntries(scorers.map((scorer, index) => [scorer.name, scores[index]!]));
}

/** The scores of a trial whose task failed: zero on every scorer, since the workflow gave no answer to score. */
export function failedTrialScores(scorers: readonly { name: string }[], error: string): Record<string, Score> {
  return Object.fromEntries(scorers.map((scorer) => [scorer.name, { score: 0, reason: `the task failed: ${error}` }]));
}

function toScore(answer: ScoreAnswer, name: string): Score {
  const { score, reason } = typeof answer === 'object' && answer !== null ? answer : { score: answer, reason: undefined };
  const value = typeof score === 'boolean' ? (score ? 1 : 0) : score;
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)) {
    return { score: null, error: `scorer ${name} answered ${JSON.stringify(value)}, not a score from 0 to 1` };
  }
  return reason === undefined ? { score: value } : { score: value, reason };
}
