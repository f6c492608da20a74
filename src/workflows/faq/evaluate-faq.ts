import type { LanguageModel } from 'ai';
import { cancellationError, InputError } from '../../core/errors.js';
import type { Run } from '../../core/run.js';
import { failedTrialScores, scoreTrial } from '../../core/score-trial.js';
import { summarizeEval, type EvalCaseResult, type EvalResult, type EvalTrial } from '../../core/summarize-eval.js';
import { faqJudges } from './faq-judges.js';
import { faqCodeScorers, type FaqEntryCase } from './faq-scorers.js';
import { uniqueTitles, type FaqEntry } from './faq-schemas.js';
import { generateFaq, type FaqOptions, type FaqResult } from './generate-faq.js';
import type { SourceDocument } from './load-documents.js';

export interface EvaluateFaqOptions extends FaqOptions {
  /** FAQs written and scored, to see how much the scores vary. @default 1 */
  trials?: number;
  /** The model that judges `grounded`, `cited` and `answersQuestion`. @default the run's model */
  judge?: LanguageModel;
}

/** One trial's FAQ, as `generateFaq` wrote it, or why it could not. */
export interface FaqTrial {
  faqs: FaqEntry[];
  failures: FaqResult['failures'];
  /** The FAQ failed as a whole (too few questions, say): every entry of this trial scores 0. */
  error?: string;
}

export interface FaqEvaluation {
  /** A case per entry position (`entry 1` … `entry N`), a trial per FAQ written. */
  result: EvalResult<FaqEntryCase, FaqEntry, undefined>;
  trials: FaqTrial[];
}

/** The names of a FAQ eval's scorers, code first, for thresholds checked before anything runs. */
export const FAQ_SCORER_NAMES: readonly string[] = [
  ...faqCodeScorers({ faq: [], questions: 1, titles: [] }),
  ...faqJudges({ documents: [] }),
].map((scorer) => scorer.name);

/**
 * Measures the FAQ pipeline on a set of documents: writes the FAQ (`trials` times, each in its
 * scope `trial[k]`), then scores every entry with the code scorers (`count`, `distinct`,
 * `realSources`, `answerLength`) and the judges (`grounded`, `cited`, `answersQuestion`). Case
 * `entry i` is the FAQ's i-th entry in every trial; an entry the FAQ lacks scores 0.
 *
 * @example
 * const { result } = await evaluateFaq(run, documents, { questions: 5, judge: createModel('openai:gpt-4.1') });
 * console.log(result.scorers.grounded.mean, result.cases[0].trials[0].scores.grounded.reason);
 */
export async function evaluateFaq(
  run: Run,
  documents: readonly SourceDocument[],
  { trials = 1, judge, questions = 5, ...faqOptions }: EvaluateFaqOptions = {},
): Promise<FaqEvaluation> {
  if (documents.length === 0) throw new InputError('the FAQ eval needs at least one document');
  if (!Number.isInteger(trials) || trials < 1) throw new InputError(`trials must be a whole number of at least 1, not ${trials}`);
  const titles = uniqueTitles(documents.map((document) => document.title));
  const judges = faqJudges({ documents, ...(judge === undefined ? {} : { model: judge }) });

  const written = await Promise.all(
    Array.from({ length: trials }, (_, trial) =>
      run.group(
        `trial[${trial}]`,
        async (trialRun) => {
          let faq: FaqTrial;
          try {
            faq = await trialRun.group('faq', (faqRun) => generateFaq(faqRun, documents, { ...faqOptions, questions }));
          } catch (error) {
            if (trialRun.signal.aborted) throw cancellationError(trialRun.signal);
            faq = { faqs: [], failures: [], error: error instanceof Error ? error.message : String(error) };
          }
          const scorers = [...faqCodeScorers({ faq: faq.faqs, questions, titles }), ...judges];
          const entries = await trialRun.parallel(
            Array.from({ length: questions }, (_, position) => position),
            async (position, entryRun): Promise<EvalTrial<FaqEntry>> => {
              const entry = faq.faqs[position];
              if (entry === undefined) {
                const error = missingEntryError(faq, position, questions);
                return { error, scores: failedTrialScores(scorers, error), path: entryRun.path };
              }
              const scores = await scoreTrial(entryRun, scorers, { input: { entry: position + 1 }, output: entry, expected: undefined });
              return { output: entry, scores, path: entryRun.path };
            },
            { name: 'entry', label: (position) => faq.faqs[position]?.question ?? `entry ${position + 1}` },
          );
          // a cancelled eval measured only part of the FAQ: its numbers would mislead
          if (trialRun.signal.aborted) throw cancellationError(trialRun.signal);
          return {
            faq,
            entries: entries.map((settled) => {
              if (!settled.ok) throw settled.error; // scoring settles each scorer; only a bug gets here
              return settled.value;
            }),
          };
        },
        // each trial writes its own FAQ: a repetition asks the model again, and a re-run with the cache asks nothing
        trial === 0 ? {} : { cacheVariant: `trial ${trial}` },
      ),
    ),
  );

  const cases: Omit<EvalCaseResult<FaqEntryCase, FaqEntry, undefined>, 'scores'>[] = Array.from({ length: questions }, (_, position) => ({
    id: `entry ${position + 1}`,
    label: written[0]!.faq.faqs[position]?.question ?? `entry ${position + 1}`,
    input: { entry: position + 1 },
    trials: written.map(({ entries }) => entries[position]!),
    path: written[0]!.entries[position]!.path,
  }));
  return {
    result: summarizeEval(cases, [...faqCodeScorers({ faq: [], questions, titles }), ...judges].map((scorer) => scorer.name), trials),
    trials: written.map(({ faq }) => faq),
  };
}

/** Why the FAQ has no entry at `position`: the whole FAQ failed, its question failed, or it came up short. */
function missingEntryError(faq: FaqTrial, position: number, questions: number): string {
  if (faq.error !== undefined) return `the FAQ failed: ${faq.error}`;
  const failure = faq.failures[position - faq.faqs.length];
  if (failure !== undefined) return `the question "${failure.question}" failed: ${failure.error}`;
  return `the FAQ has ${faq.faqs.length} entries where ${questions} were asked`;
}
