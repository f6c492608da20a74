import { group } from './scope.js';

/** An evaluator's verdict on one candidate. */
export interface Evaluation {
  accepted: boolean;
  /** What to change; passed to the next generation. */
  feedback: string;
}

export interface EvaluateOptimizeOptions<Candidate> {
  /** Makes a candidate; from round 2 on it gets the last evaluation's feedback. */
  generate: (feedback: string | undefined, round: number) => Promise<Candidate>;
  evaluate: (candidate: Candidate, round: number) => Promise<Evaluation>;
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
 * accepts or `maxRounds` is reached.
 *
 * @example
 * const { candidate, accepted } = await evaluateOptimize({
 *   generate: (feedback) => braid.step({ name: 'draft', prompt: draftPrompt(feedback) }),
 *   evaluate: (draft) => braid.step({ name: 'review', prompt: reviewPrompt(draft), schema: Evaluation }),
 * });
 */
export async function evaluateOptimize<Candidate>({
  generate,
  evaluate,
  maxRounds = 3,
}: EvaluateOptimizeOptions<Candidate>): Promise<Optimized<Candidate>> {
  const history: Optimized<Candidate>['history'] = [];
  let feedback: string | undefined;
  for (let round = 1; round <= maxRounds; round += 1) {
    const entry = await group(`round[${round}]`, async () => {
      const candidate = await generate(feedback, round);
      return { candidate, evaluation: await evaluate(candidate, round) };
    });
    history.push(entry);
    if (entry.evaluation.accepted) return { candidate: entry.candidate, accepted: true, rounds: round, history };
    feedback = entry.evaluation.feedback;
  }
  const last = history.at(-1);
  if (!last) throw new RangeError('maxRounds must be at least 1');
  return { candidate: last.candidate, accepted: false, rounds: history.length, history };
}
