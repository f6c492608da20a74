import type { Scorer } from '../../core/score-trial.js';
import type { FaqEntry } from './faq-schemas.js';

/** Which entry of a FAQ a case is: 1-based, in the FAQ's order. */
export interface FaqEntryCase {
  entry: number;
}

export interface FaqCodeScorersOptions {
  /** The whole FAQ the scored entries belong to: `count` and `distinct` look at all of it. */
  faq: readonly FaqEntry[];
  /** How many entries were asked for. */
  questions: number;
  /** The titles of the documents the FAQ was written from: the only sources it may cite. */
  titles: readonly string[];
  /** The answer prompt asks for two to four sentences. @default 10 */
  minAnswerWords?: number;
  /** @default 120 */
  maxAnswerWords?: number;
}

/**
 * The FAQ's code scorers, each 1 or 0 with a reason when 0:
 * - `count`: the FAQ has exactly the number of entries asked for (scored on every entry: it is the FAQ's);
 * - `distinct`: no earlier entry asks the same question (ignoring case, spaces and punctuation);
 * - `realSources`: the entry cites at least one source, and every source is a real title (braid's
 *   FAQ constrains sources by a schema enum, so this guards pipelines without one, and that enum);
 * - `answerLength`: the answer has `minAnswerWords` to `maxAnswerWords` words.
 *
 * @example
 * const scorers = faqCodeScorers({ faq: faqs, questions: 5, titles: documents.map((document) => document.title) });
 */
export function faqCodeScorers({ faq, questions, titles, minAnswerWords = 10, maxAnswerWords = 120 }: FaqCodeScorersOptions): Scorer<FaqEntryCase, FaqEntry>[] {
  const known = new Set(titles);
  return [
    {
      name: 'count',
      score: () => (faq.length === questions ? 1 : { score: 0, reason: `the FAQ has ${faq.length} entries where ${questions} were asked` }),
    },
    {
      name: 'distinct',
      score: ({ input, output }) => {
        const key = questionKey(output.question);
        const earlier = faq.slice(0, input.entry - 1).findIndex((entry) => questionKey(entry.question) === key);
        return earlier === -1 ? 1 : { score: 0, reason: `it asks what entry ${earlier + 1} asks: "${faq[earlier]!.question}"` };
      },
    },
    {
      name: 'realSources',
      score: ({ output }) => {
        if (output.sources.length === 0) return { score: 0, reason: 'it cites no source' };
        const unknown = output.sources.filter((source) => !known.has(source));
        if (unknown.length === 0) return 1;
        return { score: 0, reason: `it cites ${unknown.map((source) => `"${source}"`).join(', ')}, not the title of a document` };
      },
    },
    {
      name: 'answerLength',
      score: ({ output }) => {
        const words = output.answer.split(/\s+/).filter((word) => word !== '').length;
        if (words >= minAnswerWords && words <= maxAnswerWords) return 1;
        return { score: 0, reason: `the answer has ${words} word${words === 1 ? '' : 's'}, not ${minAnswerWords} to ${maxAnswerWords}` };
      },
    },
  ];
}

/** Questions that differ only in case, spacing or punctuation ask the same thing. */
function questionKey(question: string): string {
  return question
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
