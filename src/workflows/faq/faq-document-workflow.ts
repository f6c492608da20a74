import { basename } from 'node:path';
import { z } from 'zod';
import { defineBatchWorkflow } from '../../core/batch-workflow.js';
import { FaqEntrySchema } from './faq-schemas.js';
import { generateFaq } from './generate-faq.js';
import { readDocument } from './load-documents.js';

/**
 * One document's FAQ. Sent to workers, the input carries the document's title and text, not just
 * its path: a worker on another machine needs no shared disk, and a retried item works on the very
 * text its first attempt journaled steps for. Run locally, it can carry the path alone, and the
 * file is read only when its item runs, so a batch of thousands is never in memory at once.
 */
export const FaqDocumentInput = z
  .object({
    file: z.string().min(1),
    title: z.string().min(1).optional(),
    text: z.string().min(1).optional(),
    questions: z.number().int().min(1),
    mode: z.enum(['single', 'chain', 'parallel']),
  })
  .refine((input) => (input.title === undefined) === (input.text === undefined), 'give title and text together, or neither');
export type FaqDocumentInput = z.infer<typeof FaqDocumentInput>;

/**
 * What a `faq` job carries to a worker: the document's text itself. A job in Redis is untrusted, so
 * a worker never reads a path it names: `file` is the document's label, nothing more.
 */
export const FaqDocumentJobInput = z.object({
  file: z.string().min(1),
  title: z.string().min(1),
  text: z.string().min(1),
  questions: z.number().int().min(1),
  mode: z.enum(['single', 'chain', 'parallel']),
});
export type FaqDocumentJobInput = z.infer<typeof FaqDocumentJobInput>;

export const FaqDocumentOutput = z.object({
  title: z.string(),
  faqs: z.array(FaqEntrySchema),
  /** Questions whose answer or sources could not be had; their siblings are in `faqs`. */
  failures: z.array(z.object({ question: z.string(), error: z.string() })),
});
export type FaqDocumentOutput = z.infer<typeof FaqDocumentOutput>;

export interface FaqDocumentWorkflowOptions {
  /** Documents longer than this (in characters) are split: a setting of the model that runs it. @default 24_000 */
  maxPartCharacters?: number;
}

/**
 * The `faq` batch workflow: one FAQ per document, as `braid faq --per-document` runs it locally
 * and on workers. The part size is the running side's setting, so it is an option, not input.
 *
 * @example
 * const results = await createLocalRunner(braid).run(createFaqDocumentWorkflow(), [{ file, title, text, questions: 5, mode: 'parallel' }]);
 */
export function createFaqDocumentWorkflow({ maxPartCharacters = 24_000 }: FaqDocumentWorkflowOptions = {}) {
  return defineBatchWorkflow({
    name: 'faq',
    input: FaqDocumentInput,
    output: FaqDocumentOutput,
    run: async (braid, { file, title, text, questions, mode }) => {
      const document = title !== undefined && text !== undefined ? { file, title, text } : await readDocument(file);
      return { title: document.title, ...(await generateFaq(braid, [document], { questions, mode, maxPartCharacters })) };
    },
    label: ({ file, title }) => title ?? basename(file),
  });
}

/**
 * The `faq` workflow as workers serve it and `faq --per-document --redis` enqueues it: the same
 * name and output as `createFaqDocumentWorkflow`, but its input must carry the text, and it reads
 * no file (a job naming only a path fails its input schema before any work).
 *
 * @example
 * startWorker({ connection, model, workflows: [createFaqDocumentJobWorkflow({ maxPartCharacters })] });
 */
export function createFaqDocumentJobWorkflow({ maxPartCharacters = 24_000 }: FaqDocumentWorkflowOptions = {}) {
  return defineBatchWorkflow({
    name: 'faq',
    input: FaqDocumentJobInput,
    output: FaqDocumentOutput,
    run: async (braid, { file, title, text, questions, mode }) => ({ title, ...(await generateFaq(braid, [{ file, title, text }], { questions, mode, maxPartCharacters })) }),
  });
}
