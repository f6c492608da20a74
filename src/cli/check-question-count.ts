import { stat } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

/** The most questions one FAQ asks for: more is several FAQs, and one questions step cannot write them reliably. */
export const MAX_QUESTIONS = 50;

/** A question needs a fact to be answered from, a short sentence at least: one per this many characters of document text. */
export const CHARACTERS_PER_QUESTION = 20;

/** A document's size, for the bound: its text, or (not yet read) its file. */
export interface MeasuredDocument {
  file: string;
  characters: number;
}

/**
 * Refuses, before the first call, a `--questions` no run could honour: above the hard cap, or
 * more than the documents can carry (one question per `CHARACTERS_PER_QUESTION` characters). One
 * FAQ over all documents is bounded by their total; `--per-document` by the largest document,
 * since each document is asked for that many.
 *
 * @throws {InputError} saying the bound and how to stay within it.
 */
export function assertQuestionsFit(questions: number, documents: readonly MeasuredDocument[], { perDocument }: { perDocument: boolean }): void {
  if (questions > MAX_QUESTIONS) {
    throw new InputError(`--questions ${questions} is more than one FAQ asks for (at most ${MAX_QUESTIONS}); split the documents into several FAQs`);
  }
  const capacity = (characters: number): number => Math.max(1, Math.floor(characters / CHARACTERS_PER_QUESTION));
  if (perDocument) {
    const largest = documents.reduce<MeasuredDocument | undefined>((best, document) => (best === undefined || document.characters > best.characters ? document : best), undefined);
    if (largest !== undefined && questions > capacity(largest.characters)) {
      throw new InputError(
        `--questions ${questions} is more than any document can carry: the largest, ${largest.file}, holds at most ${capacity(largest.characters)} (one question per ${CHARACTERS_PER_QUESTION} characters)`,
      );
    }
    return;
  }
  const total = documents.reduce((sum, document) => sum + document.characters, 0);
  if (questions > capacity(total)) {
    throw new InputError(
      `--questions ${questions} is more than the documents can carry: ${total.toLocaleString('en-US')} characters hold at most ${capacity(total)} (one question per ${CHARACTERS_PER_QUESTION} characters)`,
    );
  }
}

/** Documents not read yet, measured by their files' sizes: an upper bound on their text (markup and multi-byte characters count too). */
export async function measureFiles(files: readonly string[]): Promise<MeasuredDocument[]> {
  return Promise.all(files.map(async (file) => ({ file, characters: (await stat(file)).size })));
}
