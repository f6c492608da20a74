import { z } from 'zod';

/** Bounds keep a weak model from writing one string until the token limit. */
const QUESTION_MAX = 200;
const ANSWER_MAX = 800;

/** The questions step's output. The count is checked (and topped up or trimmed) in code. */
export function questionsSchema(count: number) {
  return z.object({
    questions: z
      .array(z.string().min(3).max(QUESTION_MAX))
      .min(1)
      .max(Math.max(count * 2, count + 2))
      .describe(`exactly ${count} distinct questions`),
  });
}

export const AnswerSchema = z.object({
  answer: z.string().min(1).max(ANSWER_MAX).describe('the answer, using only facts stated in the documents'),
});

/** Sources as an enum of the real titles: a citation cannot be invented. */
export function sourcesSchema(titles: readonly string[]) {
  const [first, ...rest] = uniqueTitles(titles);
  return z.object({
    sources: z
      .array(z.enum([first!, ...rest]))
      .min(1)
      .max(Math.max(1, titles.length))
      .describe('titles of the documents that support the answer'),
  });
}

/** The one-prompt baseline's output: exactly `count` entries, as the CLI promises, or the step repairs it. */
export function singlePromptSchema(count: number, titles: readonly string[]) {
  return z.object({
    faqs: z
      .array(
        z.object({
          question: z.string().min(3).max(QUESTION_MAX),
          answer: z.string().min(1).max(ANSWER_MAX),
          sources: sourcesSchema(titles).shape.sources,
        }),
      )
      .length(count)
      .describe(`exactly ${count} entries`),
  });
}

/** The pick step's output: candidate ids, so a pick cannot invent a question. Duplicates are dropped in code. */
export function pickSchema(ids: readonly string[], count: number) {
  const [first, ...rest] = ids;
  return z.object({
    picks: z
      .array(z.enum([first!, ...rest]))
      .min(1)
      .max(count * 2)
      .describe(`the ids of the ${count} questions picked, most useful first`),
  });
}

export const FaqEntrySchema = z.object({
  question: z.string(),
  answer: z.string(),
  sources: z.array(z.string()),
});
export type FaqEntry = z.infer<typeof FaqEntrySchema>;

export function uniqueTitles(titles: readonly string[]): string[] {
  return [...new Set(titles)];
}
