import type { LanguageModel } from 'ai';
import { z } from 'zod';
import type { Run } from '../../core/run.js';
import type { Scorer, ScoreAnswer } from '../../core/score-trial.js';
import type { FaqEntryCase } from './faq-scorers.js';
import type { FaqEntry } from './faq-schemas.js';
import type { SourceDocument } from './load-documents.js';

/** A judge's answer: the reason first, so the verdict follows from it rather than the reverse. */
export const JudgeVerdict = z.object({
  reason: z.string().min(1).max(400).describe('one sentence: why this verdict'),
  verdict: z.enum(['yes', 'partly', 'no']),
});
export type JudgeVerdict = z.infer<typeof JudgeVerdict>;

/** Three levels a model grades more consistently than a number from 0 to 1. */
const VERDICT_SCORES: Record<JudgeVerdict['verdict'], number> = { yes: 1, partly: 0.5, no: 0 };

const JUDGE_INSTRUCTIONS = [
  'You grade one entry of a FAQ that was written from source documents.',
  'Judge only by the criterion below and by what is written here, never by outside knowledge.',
  'Answer in JSON as the schema asks: a one-sentence reason, then the verdict (yes, partly or no).',
].join('\n');

const CRITERIA = {
  grounded: [
    'Criterion: grounded. Is every claim of the answer supported by the documents below (the ones the entry cites)?',
    'yes: every claim is stated in them; partly: some claim is not in them; no: the main claim is not in them, or they contradict it.',
  ].join('\n'),
  cited: [
    'Criterion: cited. The entry cites the documents below as its sources. Do they contain the support for the answer?',
    'yes: each cited document states something the answer says, and together they support it; partly: a cited document supports nothing in the answer, or part of the support is missing; no: they do not support the answer.',
  ].join('\n'),
  answersQuestion: [
    'Criterion: answers the question. Does the answer respond to what the question asks, whether or not it is true?',
    'yes: it answers it directly; partly: it answers part of it, or only around it; no: it answers something else.',
  ].join('\n'),
} as const;

export interface FaqJudgesOptions {
  /** The documents the FAQ was written from; a judge sees only the ones an entry cites. */
  documents: readonly SourceDocument[];
  /** The model that judges. @default the run's model */
  model?: LanguageModel;
}

/**
 * The FAQ's judge scorers, each a typed step (so limited, retried, repaired, journaled, cached and
 * traced like any step) whose verdict yes / partly / no scores 1 / 0.5 / 0, with the judge's
 * one-sentence reason:
 * - `grounded`: every claim of the answer is supported by the cited documents (the judge sees only those);
 * - `cited`: the cited documents do contain the support (none is cited for nothing);
 * - `answersQuestion`: the answer responds to the question (the judge sees no document).
 * An entry that cites no document of the set scores 0 on `grounded` and `cited` without a call.
 *
 * @example
 * const scorers = faqJudges({ documents, model: createModel('openai:gpt-4.1') });
 */
export function faqJudges({ documents, model }: FaqJudgesOptions): Scorer<FaqEntryCase, FaqEntry>[] {
  const citedDocuments = (entry: FaqEntry): SourceDocument[] => documents.filter((document) => entry.sources.includes(document.title));
  const withCitedDocuments =
    (criterion: 'grounded' | 'cited') =>
    async ({ output, run }: { output: FaqEntry; run: Run }): Promise<ScoreAnswer> => {
      const cited = citedDocuments(output);
      if (cited.length === 0) return { score: 0, reason: 'it cites no document of the set, so nothing supports it' };
      return judge(run, { model, criterion: CRITERIA[criterion], documents: cited, entry: output });
    };
  return [
    { name: 'grounded', score: withCitedDocuments('grounded') },
    { name: 'cited', score: withCitedDocuments('cited') },
    { name: 'answersQuestion', score: ({ output, run }) => judge(run, { model, criterion: CRITERIA.answersQuestion, documents: [], entry: output }) },
  ];
}

/** One judge step: the criterion and the documents first (a stable prefix), then the entry. */
async function judge(
  run: Run,
  { model, criterion, documents, entry }: { model: LanguageModel | undefined; criterion: string; documents: readonly SourceDocument[]; entry: FaqEntry },
): Promise<ScoreAnswer> {
  const sources = documents.map((document) => `<document title="${document.title}">\n${document.text}\n</document>`);
  const { verdict, reason } = await run.step({
    name: 'judge',
    system: [JUDGE_INSTRUCTIONS, '', criterion, ...(sources.length > 0 ? ['', ...sources] : [])].join('\n'),
    prompt: `Question: ${entry.question}\nAnswer: ${entry.answer}`,
    schema: JudgeVerdict,
    ...(model === undefined ? {} : { model }),
  });
  return { score: VERDICT_SCORES[verdict], reason };
}
