import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateText, Output, type LanguageModel } from 'ai';
import pLimit from 'p-limit';
import { answerPrompt, documentsPrefix, questionsPrompt, sourcesPrompt } from '../src/workflows/faq/faq-prompts.js';
import { AnswerSchema, questionsSchema, sourcesSchema, uniqueTitles, type FaqEntry } from '../src/workflows/faq/faq-schemas.js';
import { readDocument, type SourceDocument } from '../src/workflows/faq/load-documents.js';
import type { FakeRule } from '../test/fake-provider/index.js';

/**
 * The FAQ chain the benchmarks run: one questions call, then per question an answer call and a
 * sources call that needs the answer. Three rounds of calls depend on each other; everything
 * inside a round is independent.
 */
export const DEPENDENT_ROUNDS = 3;

/** The bundled sample documents, sorted by file name so every contender sees the same prompt. */
export async function loadSampleDocuments(): Promise<SourceDocument[]> {
  const directory = new URL('../samples/', import.meta.url);
  const names = (await readdir(directory)).filter((name) => name.endsWith('.md')).sort();
  return Promise.all(names.map((name) => readDocument(fileURLToPath(new URL(name, directory)))));
}

/** `count` distinct, numbered questions (the fake answers them with schema-shaped lorem ipsum). */
export function benchQuestions(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `What do the documents say about point ${index + 1} of their subject?`);
}

/**
 * The fake's schema-driven answers hold one to three array items, so asked for 20 questions it
 * would give a few and braid would ask again and again. A real model follows "exactly N"; this
 * rule makes the fake do so too, for every contender alike, so the workload is the same FAQ chain.
 */
export function questionRules(count: number): FakeRule[] {
  return [{ match: 'distinct questions a reader of these documents would ask', json: { questions: benchQuestions(count) } }];
}

export interface AiSdkFaqOptions {
  /** How many questions to ask for. */
  questions: number;
  /** `sequential`: every call after the previous one; `concurrent`: `Promise.all` over the questions. */
  schedule: 'sequential' | 'concurrent';
  /** With `concurrent`: at most this many questions at once (a `p-limit` fan-out). @default Infinity */
  concurrency?: number;
  /** Ends the run at its deadline. */
  signal?: AbortSignal;
}

export interface AiSdkFaqResult {
  faqs: FaqEntry[];
  /** Items that failed, with the reason; when the questions call fails, every item is lost. */
  failures: { question: string; error: string }[];
  /** The questions call itself failed: no item could start. */
  isQuestionsLost: boolean;
}

/**
 * The baselines: the same prompts and schemas as `generateFaq`, sent with the AI SDK alone and
 * its defaults (`maxRetries: 2`, no limiter, no repair). Each item is settled on its own so the
 * count of completed items is fair to the baseline; a plain `Promise.all` would have rejected the
 * whole FAQ on the first failure (reported separately as `failures.length > 0`).
 *
 * @example
 * const { faqs } = await runFaqWithAiSdk(model, documents, { questions: 20, schedule: 'concurrent' });
 */
export async function runFaqWithAiSdk(
  model: LanguageModel,
  documents: readonly SourceDocument[],
  { questions: count, schedule, concurrency = Number.POSITIVE_INFINITY, signal }: AiSdkFaqOptions,
): Promise<AiSdkFaqResult> {
  const instructions = documentsPrefix(documents);
  const titles = uniqueTitles(documents.map((document) => document.title));
  let questions: string[];
  try {
    const { output } = await generateText({
      model,
      instructions,
      prompt: questionsPrompt(count, []),
      output: Output.object({ schema: questionsSchema(count) }),
      abortSignal: signal,
    });
    questions = [...new Set(output.questions.map((question) => question.trim()))].slice(0, count);
  } catch (error) {
    return { faqs: [], failures: [{ question: '(all: the questions call failed)', error: describe(error) }], isQuestionsLost: true };
  }

  const answerOne = async (question: string): Promise<FaqEntry> => {
    const { output: answered } = await generateText({
      model,
      instructions,
      prompt: answerPrompt(question),
      output: Output.object({ schema: AnswerSchema }),
      abortSignal: signal,
    });
    const { output: cited } = await generateText({
      model,
      instructions,
      prompt: sourcesPrompt(question, answered.answer, titles),
      output: Output.object({ schema: sourcesSchema(titles) }),
      abortSignal: signal,
    });
    return { question, answer: answered.answer, sources: uniqueTitles(cited.sources) };
  };

  const settled: PromiseSettledResult<FaqEntry>[] = [];
  if (schedule === 'sequential') {
    for (const question of questions) {
      settled.push(await answerOne(question).then(
        (value) => ({ status: 'fulfilled' as const, value }),
        (reason: unknown) => ({ status: 'rejected' as const, reason }),
      ));
    }
  } else {
    const limit = pLimit(concurrency);
    settled.push(...(await Promise.allSettled(questions.map((question) => limit(() => answerOne(question))))));
  }
  const faqs: FaqEntry[] = [];
  const failures: AiSdkFaqResult['failures'] = [];
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') faqs.push(result.value);
    else failures.push({ question: questions[index] ?? '', error: describe(result.reason) });
  });
  // a model that gave fewer distinct questions than asked loses the missing items too
  for (let missing = questions.length; missing < count; missing += 1) {
    failures.push({ question: `(question ${missing + 1} never asked)`, error: 'too few distinct questions' });
  }
  return { faqs, failures, isQuestionsLost: false };
}

/** Entries whose answer passes the answer schema and whose sources are all real titles. */
export function countValidEntries(faqs: readonly FaqEntry[], documents: readonly SourceDocument[]): number {
  const titles = new Set(documents.map((document) => document.title));
  return faqs.filter(
    (entry) => AnswerSchema.safeParse({ answer: entry.answer }).success && entry.sources.length > 0 && entry.sources.every((source) => titles.has(source)),
  ).length;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
