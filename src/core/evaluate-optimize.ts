import type { Run } from './run.js';

/** An evaluator's verdict on one candidate. */
export interface Evaluation {
  accepted: boolean;
  /** What to change; passed to the next generation. */
  feedback: string;
}

export interface EvaluateOptimizeOptions<Candidate> {
  /** Makes a candidate; from round 2 on it gets the last evaluation's feedback. Each round has its own scope `round[n]`. */
  generate: (feedback: string | undefined, round: number, run: Run) => Promise<Candidate>;
  evaluate: (candidate: Candidate, round: number, run: Run) => Promise<Evaluation>;
  /** Stops after this many rounds even if nothing was accepted. @default 3 */
  maxRounds?: number;
}

export interface Optimized<Candidate> {
  /** The accepted candidate, or the last one when none was accepted. */
  candidate: Candidate;
  accepted: boolean;
  rounds: number;
  history: { candidate: Candidate; evaluation: Evaluation }[];
}

/**
 * Evaluator–optimizer: generate, evaluate, and feed the critique back until the evaluator
 * accepts or `maxRounds` is reached. The run's `evaluateOptimize` method.
 */
export async function evaluateOptimize<Candidate>(
  run: Run,
  { generate, evaluate, maxRounds = 3 }: EvaluateOptimizeOptions<Candidate>,
): Promise<Optimized<Candidate>> {
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new TypeError(`maxRounds must be a whole number of at least 1, not ${maxRounds}`);
  const history: Optimized<Candidate>['history'] = [];
  let feedback: string | undefined;
  for (let round = 1; round <= maxRounds; round += 1) {
    const entry = await run.group(`round[${round}]`, async (roundRun) => {
      const candidate = await generate(feedback, round, roundRun);
      return { candidate, evaluation: await evaluate(candidate, round, roundRun) };
    });
    history.push(entry);
    if (entry.evaluation.accepted) return { candidate: entry.candidate, accepted: true, rounds: round, history };
    feedback = entry.evaluation.feedback;
  }
  const last = history.at(-1)!; // maxRounds ≥ 1 ran at least one round
  return { candidate: last.candidate, accepted: false, rounds: history.length, history };
}
