import { BraidError, cancellationError } from '../../core/errors.js';
import type { Settled } from '../../core/parallel.js';
import type { Run } from '../../core/run.js';
import { answerPrompt, documentsPrefix, pickPrompt, questionsPrompt, singlePrompt, sourcesPrompt } from './faq-prompts.js';
import { AnswerSchema, pickSchema, questionsSchema, singlePromptSchema, sourcesSchema, uniqueTitles, type FaqEntry } from './faq-schemas.js';
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
/** Candidate questions one part offers when there are more parts than questions. */
const MAX_CANDIDATES_PER_PART = 3;

type Answered = { question: string; result: Settled<FaqEntry> };

/**
 * The FAQ pipeline: exactly N questions, an answer to each from the documents only, and the
 * titles that support it, constrained to the real titles. Each question is answered as soon as it
 * is asked, so a top-up round for a repeated question delays only the missing one.
 *
 * @example
 * const { faqs } = await run.group('faq', (faq) => generateFaq(faq, documents, { questions: 4 }));
 */
export async function generateFaq(
  run: Run,
  documents: readonly SourceDocument[],
  { questions: count = 5, mode = 'parallel', maxPartCharacters = 24_000 }: FaqOptions = {},
): Promise<FaqResult> {
  if (!Number.isInteger(count) || count < 1) throw new BraidError(`questions must be a whole number of at least 1, not ${count}`);
  if (documents.length === 0) throw new BraidError('the FAQ needs at least one document');
  const parts = splitIntoParts(documents, maxPartCharacters);
  if (mode === 'single') return singlePromptFaq(run, parts, count);

  // more parts than questions: every part offers candidates and one step picks, so the FAQ covers the whole corpus
  const answered = parts.length > count ? await answerPickedQuestions(run, parts, count, mode) : await answerPerPart(run, parts, count, mode);
  // a cancelled run ends here: its unfinished questions did not fail on their own
  if (run.signal.aborted) throw cancellationError(run.signal);
  const faqs: FaqEntry[] = [];
  const failures: FaqResult['failures'] = [];
  for (const { question, result } of answered) {
    if (result.ok) faqs.push(result.value);
    else failures.push({ question, error: result.error instanceof Error ? result.error.message : String(result.error) });
  }
  return { faqs, failures };
}

/** Each part asks its share of the questions and answers each one the moment it has it. */
async function answerPerPart(run: Run, parts: readonly CorpusPart[], count: number, mode: FaqMode): Promise<Answered[]> {
  const perPart = spreadQuestions(parts, count);
  const settled = await eachInMode(run, mode, parts, 'part', (part, partRun, index) => askAndAnswer(partRun, part, perPart[index] ?? 0, mode), partLabel);
  return settled.flatMap((result) => {
    if (!result.ok) throw result.error; // no questions, no FAQ: nothing to isolate yet
    return result.value;
  });
}

async function askAndAnswer(run: Run, part: CorpusPart, count: number, mode: FaqMode): Promise<Answered[]> {
  const pending: Promise<Answered>[] = [];
  try {
    await collectQuestions(run, part, count, async (question, index) => {
      const answered = answerQuestion(run, part, question, index);
      pending.push(answered);
      if (mode === 'chain') await answered;
    });
  } finally {
    // the answers already asked for end either way; none is left running unobserved
    await Promise.allSettled(pending);
  }
  return Promise.all(pending);
}

/** One question's chain (answer, then sources), in its own scope `question[index]`; it settles, never throws. */
async function answerQuestion(run: Run, part: CorpusPart, question: string, index: number): Promise<Answered> {
  try {
    const entry = await run.group(`question[${index}]`, (questionRun) => answerAndCite(questionRun, part, question), { label: firstWords(question) });
    return { question, result: { ok: true, value: entry } };
  } catch (error) {
    return { question, result: { ok: false, error } };
  }
}

/** The prompt chain of one question: an answer from the part's documents, then the titles that support it. */
function answerAndCite(run: Run, part: CorpusPart, question: string): Promise<FaqEntry> {
  return run.chain(
    question,
    ['answer', async (asked: string, link: Run) => {
      const { answer } = await link.step({ name: 'answer', system: documentsPrefix(part.documents), prompt: answerPrompt(asked), schema: AnswerSchema });
      return { question: asked, answer };
    }],
    ['sources', async ({ question: asked, answer }, link: Run) => {
      const titles = titlesOf(part);
      const { sources } = await link.step({
        name: 'sources',
        system: documentsPrefix(part.documents),
        prompt: sourcesPrompt(asked, answer, titles),
        schema: sourcesSchema(titles),
      });
      return { question: asked, answer, sources: uniqueTitles(sources) };
    }],
  );
}

/**
 * Exactly `count` distinct questions from one part, each handed to `onQuestion` as soon as it is
 * found: asks again for the missing ones, trims extras.
 */
async function collectQuestions(
  run: Run,
  part: CorpusPart,
  count: number,
  onQuestion: (question: string, index: number) => Promise<void>,
): Promise<void> {
  const found = new Map<string, string>();
  const maxRounds = count + QUESTION_EXTRA_ROUNDS;
  let rounds = 0;
  let roundsWithoutProgress = 0;
  // each round asks only for the questions still missing, so a short answer is topped up
  while (found.size < count && rounds < maxRounds && roundsWithoutProgress < STALLED_ROUNDS) {
    rounds += 1;
    const before = found.size;
    const missing = count - found.size;
    const { questions } = await run.step({
      name: 'questions',
      system: documentsPrefix(part.documents),
      prompt: questionsPrompt(missing, [...found.values()]),
      schema: questionsSchema(missing),
      // a round that brought nothing new leaves the prompt unchanged, and a greedy decoder would repeat itself: sample instead
      ...(roundsWithoutProgress > 0 ? { temperature: STALLED_TEMPERATURE } : {}),
    });
    for (const question of questions) {
      const normalized = normalize(question);
      if (found.size === count || normalized === '' || found.has(normalized)) continue;
      found.set(normalized, question.trim());
      await onQuestion(question.trim(), found.size - 1);
    }
    roundsWithoutProgress = found.size > before ? 0 : roundsWithoutProgress + 1;
  }
  if (found.size < count) {
    throw new BraidError(`the model gave ${found.size} distinct questions where ${count} were asked, after ${rounds} tries`);
  }
}

/**
 * Many parts, few questions: each part offers a few candidates (a part that fails offers none),
 * one step picks the `count` most useful distinct ones over the whole corpus, and each picked
 * question is answered from the part it came from.
 */
async function answerPickedQuestions(run: Run, parts: readonly CorpusPart[], count: number, mode: FaqMode): Promise<Answered[]> {
  const perPart = Math.min(MAX_CANDIDATES_PER_PART, Math.max(1, Math.ceil((2 * count) / parts.length)));
  const offered = await eachInMode(
    run,
    mode,
    parts,
    'part',
    async (part, partRun) => {
      const { questions } = await partRun.step({
        name: 'candidates',
        system: documentsPrefix(part.documents),
        prompt: questionsPrompt(perPart, []),
        schema: questionsSchema(perPart),
      });
      return questions.slice(0, perPart).map((question) => ({ question: question.trim(), part }));
    },
    partLabel,
  );
  const seen = new Set<string>();
  const candidates = offered.flatMap((result) => (result.ok ? result.value : [])).filter(({ question }) => {
    const normalized = normalize(question);
    if (normalized === '' || seen.has(normalized)) return false;
    seen.add(normalized);
    return true;
  });
  if (candidates.length < count) {
    const failed = offered.find((result) => !result.ok);
    throw new BraidError(`the parts offered ${candidates.length} distinct questions where ${count} were asked`, { cause: failed && !failed.ok ? failed.error : undefined });
  }

  const ids = candidates.map((_, index) => `Q${index + 1}`);
  const { picks } = await run.step({
    name: 'pick',
    prompt: pickPrompt(count, candidates.map(({ question, part }, index) => ({ id: ids[index]!, question, titles: titlesOf(part) }))),
    schema: pickSchema(ids, count),
  });
  // distinct picks in the model's order; a short list is filled with the first candidates not picked
  const chosen = [...new Set(picks)].map((id) => ids.indexOf(id));
  for (let index = 0; chosen.length < count; index += 1) if (!chosen.includes(index)) chosen.push(index);
  const selected = chosen.slice(0, count).map((index) => candidates[index]!);
  const answered = await eachInMode(run, mode, selected, 'question', ({ question, part }, questionRun) => answerAndCite(questionRun, part, question), ({ question }) => firstWords(question));
  return answered.map((result, index) => ({ question: selected[index]!.question, result }));
}

async function singlePromptFaq(run: Run, parts: readonly CorpusPart[], count: number): Promise<FaqResult> {
  const documents = parts.flatMap((part) => part.documents);
  const titles = uniqueTitles(documents.map((document) => document.title));
  const { faqs } = await run.step({
    name: 'faq',
    system: documentsPrefix(documents),
    prompt: singlePrompt(count, titles),
    schema: singlePromptSchema(count, titles),
  });
  return { faqs: faqs.map((entry) => ({ ...entry, sources: uniqueTitles(entry.sources) })), failures: [] };
}

/** Runs over items concurrently in parallel mode, one after another in chain mode, each in its own scope, settling each. */
async function eachInMode<Item, Result>(
  run: Run,
  mode: FaqMode,
  items: readonly Item[],
  name: string,
  body: (item: Item, itemRun: Run, index: number) => Promise<Result>,
  label: (item: Item) => string,
): Promise<Settled<Result>[]> {
  if (mode === 'parallel') return run.parallel(items, body, { name, label });
  const results: Settled<Result>[] = [];
  for (const [index, item] of items.entries()) {
    try {
      results.push({ ok: true, value: await run.group(`${name}[${index}]`, (itemRun) => body(item, itemRun, index), { label: label(item) }) });
    } catch (error) {
      if (run.signal.aborted) throw error;
      results.push({ ok: false, error });
    }
  }
  return results;
}

function partLabel(part: CorpusPart): string {
  return titlesOf(part).join('; ');
}

function titlesOf(part: CorpusPart): string[] {
  return uniqueTitles(part.documents.map((document) => document.title));
}

function normalize(question: string): string {
  return question.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** A question's first words, to label its scope in the timeline. */
function firstWords(text: string): string {
  return text.length <= 48 ? text : `${text.slice(0, 47)}…`;
}
