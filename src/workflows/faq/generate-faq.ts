import { BraidError, cancellationError } from '../../core/errors.js';
import { chain } from '../../core/chain.js';
import { parallel, type Settled } from '../../core/parallel.js';
import type { Runtime } from '../../core/runtime.js';
import { group } from '../../core/scope.js';
import { answerPrompt, documentsPrefix, questionsPrompt, singlePrompt, sourcesPrompt } from './faq-prompts.js';
import { AnswerSchema, questionsSchema, singlePromptSchema, sourcesSchema, uniqueTitles, type FaqEntry } from './faq-schemas.js';
import type { SourceDocument } from './load-documents.js';
import { splitIntoParts, spreadQuestions, type CorpusPart } from './split-documents.js';

export type FaqMode = 'single' | 'chain' | 'parallel';

export interface FaqOptions {
  /** How many questions, exactly: chain and parallel modes top up or trim, single mode's schema demands it. @default 5 */
  questions?: number;
  /** `single`: one prompt (the baseline); `chain`: one step after another; `parallel`: questions fan out. @default 'parallel' */
  mode?: FaqMode;
  /** Documents larger than this (in characters) are split, and questions spread across the parts. @default 24_000 */
  maxPartCharacters?: number;
}

export interface FaqResult {
  faqs: FaqEntry[];
  /** Questions whose answer or sources could not be had; their siblings are in `faqs`. */
  failures: { question: string; error: string }[];
}

/** Rounds beyond one per question before giving up on an exact count. */
const QUESTION_EXTRA_ROUNDS = 2;
/** Consecutive rounds that bring no new question before giving up. */
const STALLED_ROUNDS = 2;
/** Sampling temperature of a round after one that brought no new question. */
const STALLED_TEMPERATURE = 0.8;

/**
 * The FAQ pipeline: exactly N questions, an answer to each from the documents only, and the
 * titles that support it, constrained to the real titles.
 *
 * @example
 * const { faqs } = await generateFaq(braid, await Promise.all(files.map(readDocument)), { questions: 4 });
 */
export async function generateFaq(
  braid: Runtime,
  documents: readonly SourceDocument[],
  { questions: count = 5, mode = 'parallel', maxPartCharacters = 24_000 }: FaqOptions = {},
): Promise<FaqResult> {
  if (!Number.isInteger(count) || count < 1) throw new BraidError(`questions must be a whole number of at least 1, not ${count}`);
  if (documents.length === 0) throw new BraidError('the FAQ needs at least one document');
  const parts = splitIntoParts(documents, maxPartCharacters);
  if (mode === 'single') return singlePromptFaq(braid, parts, count);

  const perPart = spreadQuestions(parts, count);
  const isParallel = mode === 'parallel';
  const planned = await mapInMode(isParallel, braid, parts, (part, index) => collectQuestions(braid, part, perPart[index] ?? 0), 'part');
  const questions = planned.flatMap((result, index) => {
    if (!result.ok) throw result.error; // no questions, no FAQ: nothing to isolate yet
    return result.value.map((question) => ({ question, part: parts[index]! }));
  });

  const answerWithSources = chain(
    ['answer', async ({ question, part }: { question: string; part: CorpusPart }) => {
      const { answer } = await braid.step({ name: 'answer', system: documentsPrefix(part.documents), prompt: answerPrompt(question), schema: AnswerSchema });
      return { question, answer, part };
    }],
    ['sources', async ({ question, answer, part }) => {
      const titles = uniqueTitles(part.documents.map((document) => document.title));
      const { sources } = await braid.step({
        name: 'sources',
        system: documentsPrefix(part.documents),
        prompt: sourcesPrompt(question, answer, titles),
        schema: sourcesSchema(titles),
      });
      return { question, answer, sources: uniqueTitles(sources) };
    }],
  );
  const answered = await mapInMode(isParallel, braid, questions, (item) => answerWithSources(item), 'question');
  const faqs: FaqEntry[] = [];
  const failures: FaqResult['failures'] = [];
  answered.forEach((result, index) => {
    if (result.ok) faqs.push(result.value);
    else failures.push({ question: questions[index]!.question, error: result.error instanceof Error ? result.error.message : String(result.error) });
  });
  return { faqs, failures };
}

/** Exactly `count` distinct questions from one part: asks again for the missing ones, trims extras. */
async function collectQuestions(braid: Runtime, part: CorpusPart, count: number): Promise<string[]> {
  const found = new Map<string, string>();
  const maxRounds = count + QUESTION_EXTRA_ROUNDS;
  let rounds = 0;
  let roundsWithoutProgress = 0;
  // each round asks only for the questions still missing, so a short answer is topped up
  while (found.size < count && rounds < maxRounds && roundsWithoutProgress < STALLED_ROUNDS) {
    rounds += 1;
    const before = found.size;
    const missing = count - found.size;
    const { questions } = await braid.step({
      name: 'questions',
      system: documentsPrefix(part.documents),
      prompt: questionsPrompt(missing, [...found.values()]),
      schema: questionsSchema(missing),
      // a round that brought nothing new leaves the prompt unchanged, and a greedy decoder would repeat itself: sample instead
      ...(roundsWithoutProgress > 0 ? { temperature: STALLED_TEMPERATURE } : {}),
    });
    for (const question of questions) {
      const normalized = question.trim().toLowerCase().replace(/\s+/g, ' ');
      if (normalized !== '' && !found.has(normalized)) found.set(normalized, question.trim());
    }
    roundsWithoutProgress = found.size > before ? 0 : roundsWithoutProgress + 1;
  }
  if (found.size < count) {
    throw new BraidError(`the model gave ${found.size} distinct questions where ${count} were asked, after ${rounds} tries`);
  }
  return [...found.values()].slice(0, count);
}

async function singlePromptFaq(braid: Runtime, parts: readonly CorpusPart[], count: number): Promise<FaqResult> {
  const documents = parts.flatMap((part) => part.documents);
  const titles = uniqueTitles(documents.map((document) => document.title));
  const { faqs } = await braid.step({
    name: 'faq',
    system: documentsPrefix(documents),
    prompt: singlePrompt(count, titles),
    schema: singlePromptSchema(count, titles),
  });
  return { faqs: faqs.map((entry) => ({ ...entry, sources: uniqueTitles(entry.sources) })), failures: [] };
}

/** Runs over items concurrently in parallel mode, one after another in chain mode, settling each. */
async function mapInMode<Item, Result>(
  isParallel: boolean,
  braid: Runtime,
  items: readonly Item[],
  run: (item: Item, index: number) => Promise<Result>,
  name: string,
): Promise<Settled<Result>[]> {
  if (isParallel) {
    const results = await parallel(items, run, { signal: braid.signal, name });
    // as in chain mode, a cancelled run ends here: its unfinished items did not fail on their own
    if (braid.signal.aborted) throw cancellationError(braid.signal);
    return results;
  }
  const results: Settled<Result>[] = [];
  for (const [index, item] of items.entries()) {
    try {
      results.push({ ok: true, value: await group(`${name}[${index}]`, () => run(item, index)) });
    } catch (error) {
      if (braid.signal.aborted) throw error;
      results.push({ ok: false, error });
    }
  }
  return results;
}
