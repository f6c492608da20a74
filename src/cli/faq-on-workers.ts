import { join } from 'node:path';
import { createRedisRunner } from '../distributed/redis-runner.js';
import { createFaqDocumentJobWorkflow, FaqDocumentJobInput } from '../workflows/faq/faq-document-workflow.js';
import type { FaqMode } from '../workflows/faq/generate-faq.js';
import { listDocumentFiles } from '../workflows/faq/load-documents.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { formatPerDocument, perDocumentResults, readFaqDocumentBatch, reportFailedDocuments, warnSkippedDocument } from './faq-document-batch.js';
import { writeOutput } from './write-output.js';
import { packageRoot } from './package-root.js';
import { withDistributedRun } from './with-distributed-run.js';
import { assertQuestionsFit } from './check-question-count.js';

export interface FaqOnWorkersFlags extends EngineFlags {
  /** A URL, or `true` for a bare `--redis` (BRAID_REDIS_URL). */
  redis: string | true;
  questions: number;
  mode: FaqMode;
  out?: string;
  perDocument?: boolean;
}

/**
 * `braid faq --per-document --redis`: the local `--per-document` workflow, one job per document
 * on the workers, results collected in input order and printed exactly as the local run prints them.
 * The documents are read here and their text travels in the jobs: a worker reads no file.
 */
export async function runFaqOnWorkers(paths: readonly string[], flags: FaqOnWorkersFlags): Promise<number> {
  if (!flags.perDocument) {
    process.stderr.write('braid: --redis runs one job per document: add --per-document (see braid faq --help)\n');
    return EXIT.usage;
  }
  return withDistributedRun(flags, 'faq', async ({ redis, runOptions, onRedisError, reportRequeued, isInteractive }) => {
    const files = await listDocumentFiles(paths.length > 0 ? paths : [join(packageRoot(), 'samples')], { onSkip: warnSkippedDocument });
    const batch = await readFaqDocumentBatch(files, { questions: flags.questions, mode: flags.mode });
    assertQuestionsFit(flags.questions, batch.items.map((item) => ({ file: item.file, characters: item.text?.length ?? 0 })), { perDocument: true });
    // every item carries its title and text (the job schema demands them); the part size is the workers' setting
    const items = batch.items.map((item) => FaqDocumentJobInput.parse(item));
    const run = await createRedisRunner({ connection: redis, onRedisError }).runBatch(createFaqDocumentJobWorkflow(), items, runOptions);
    reportRequeued(run);
    const documents = perDocumentResults(batch, run.results);
    await writeOutput(formatPerDocument(documents, { json: flags.json === true, summary: run.summary }), flags.out);
    return reportFailedDocuments(documents, { summary: run.summary, isInteractive });
  });
}
