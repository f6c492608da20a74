import { cancellationError } from './errors.js';
import type { Run } from './run.js';
import { checkScorerNames, failedTrialScores, scoreTrial, type Scorer } from './score-trial.js';
import { valueFingerprint } from './step-fingerprint.js';
import { summarizeEval, type EvalCaseResult, type EvalResult, type EvalTrial } from './summarize-eval.js';

/** One case of a data set: what the task gets, and what a scorer may compare its output with. */
export interface EvalCase<Input, Expected = unknown> {
  input: Input;
  expected?: Expected;
  /** Pairs the case with the same case of a baseline. @default a hash of `input` */
  id?: string;
  /** What the case is, in reports. @default the input's first 60 characters */
  label?: string;
}

export interface EvaluateOptions<Input, Output, Expected> {
  data: readonly EvalCase<Input, Expected>[];
  /** The workflow under test, run once per case and trial in a scope of its own. */
  task: (input: Input, run: Run) => Promise<Output>;
  scorers: readonly Scorer<Input, Output, Expected>[];
  /**
   * Runs of each case, to see how much the scores vary. Each trial's steps are cached apart, so a
   * repetition is a new call, and a re-run with the response cache on makes none. @default 1
   */
  trials?: number;
  /** Cases evaluated at once; the provider limiter paces the calls either way. @default Infinity */
  concurrency?: number;
}

/** Characters of an input shown as a case's label when it has none. */
const LABEL_CHARACTERS = 60;

/**
 * Measures a workflow on a data set: runs `task` on every case (`trials` times), scores each output
 * with every scorer (code, or a judge that calls a model through the trial's `run`), and returns
 * each case's scores and the mean and spread per scorer. An eval is a run like any other: its
 * steps are journaled, cached and traced, each case under `case[i]`, each trial under `trial[k]`.
 * A case whose task fails scores 0 on every scorer.
 *
 * @example
 * const result = await evaluate(run, {
 *   data: [{ input: 'Where is my order?', expected: 'Status Update' }],
 *   task: (query, caseRun) => caseRun.step({ name: 'classify', prompt: query, schema: Intent }),
 *   scorers: [{ name: 'accuracy', score: ({ output, expected }) => output.intent === expected }],
 *   trials: 3,
 * });
 * console.log(result.scorers.accuracy); // { mean: 0.66…, stddev: 0.47…, min: 0, max: 1, count: 3, errors: 0 }
 */
export async function evaluate<Input, Output, Expected = unknown>(
  run: Run,
  { data, task, scorers, trials = 1, concurrency = Number.POSITIVE_INFINITY }: EvaluateOptions<Input, Output, Expected>,
): Promise<EvalResult<Input, Output, Expected>> {
  if (data.length === 0) throw new TypeError('evaluate: data holds no cases');
  if (!Number.isInteger(trials) || trials < 1) throw new TypeError(`evaluate: trials must be a whole number of at least 1, not ${trials}`);
  checkScorerNames(scorers);
  const ids = caseIds(data);
  const settled = await run.parallel(
    data,
    async (item, caseRun, index): Promise<Omit<EvalCaseResult<Input, Output, Expected>, 'scores'>> => {
      const runs = await Promise.all(Array.from({ length: trials }, (_, trial) => runTrial(caseRun, trial, item, task, scorers)));
      return {
        id: ids[index]!,
        label: item.label ?? labelOf(item.input),
        input: item.input,
        ...(item.expected === undefined ? {} : { expected: item.expected }),
        trials: runs,
        path: caseRun.path,
      };
    },
    { name: 'case', concurrency, label: (item) => item.label ?? labelOf(item.input) },
  );
  // a cancelled eval measured only part of the set: its numbers would mislead
  if (run.signal.aborted) throw cancellationError(run.signal);
  const cases = settled.map((result) => {
    if (!result.ok) throw result.error; // a case settles on its own; only a bug in a scorer's caller gets here
    return result.value;
  });
  return summarizeEval(cases, scorers.map((scorer) => scorer.name), trials);
}

/**
 * One trial of one case, in its scope `trial[k]`: the task in `task`, then every scorer. Trials
 * after the first keep their own response-cache entries, so a repetition asks the model again.
 */
function runTrial<Input, Output, Expected>(
  caseRun: Run,
  trial: number,
  item: EvalCase<Input, Expected>,
  task: (input: Input, run: Run) => Promise<Output>,
  scorers: readonly Scorer<Input, Output, Expected>[],
): Promise<EvalTrial<Output>> {
  return caseRun.group(
    `trial[${trial}]`,
    async (trialRun): Promise<EvalTrial<Output>> => {
      let output: Output;
      try {
        output = await trialRun.group('task', (taskRun) => task(item.input, taskRun));
      } catch (error) {
        if (trialRun.signal.aborted) throw cancellationError(trialRun.signal);
        const message = error instanceof Error ? error.message : String(error);
        return { error: message, scores: failedTrialScores(scorers, message), path: trialRun.path };
      }
      const scores = await scoreTrial(trialRun, scorers, { input: item.input, output, expected: item.expected });
      return { output, scores, path: trialRun.path };
    },
    trial === 0 ? {} : { cacheVariant: `trial ${trial}` },
  );
}

/** Each case's id: its own, else a hash of its input; a repeated one gets `~2`, `~3`… so ids stay unique. */
function caseIds(data: readonly EvalCase<unknown, unknown>[]): string[] {
  const seen = new Map<string, number>();
  return data.map((item) => {
    const base = item.id ?? valueFingerprint(item.input).slice(0, 12);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}~${count}`;
  });
}

function labelOf(input: unknown): string {
  const text = (typeof input === 'string' ? input : JSON.stringify(input) ?? String(input)).replace(/\s+/g, ' ').trim();
  return text.length <= LABEL_CHARACTERS ? text : `${text.slice(0, LABEL_CHARACTERS - 1)}…`;
}
