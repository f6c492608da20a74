import { join } from 'node:path';
import { createRedisRunner } from '../distributed/redis-runner.js';
import { createFaqDocumentWorkflow } from '../workflows/faq/faq-document-workflow.js';
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
  redis: string;
  questions: number;
  mode: FaqMode;
  out?: string;
  perDocument?: boolean;
}

/**
 * `braid faq --per-document --redis URL`: the local `--per-document` workflow, one job per document
 * on the workers, results collected in input order and printed exactly as the local run prints them.
 */
export async function runFaqOnWorkers(paths: readonly string[], flags: FaqOnWorkersFlags): Promise<number> {
  if (!flags.perDocument) {
    process.stderr.write('braid: --redis runs one job per document: add --per-document (see braid faq --help)\n');
    return EXIT.usage;
  }
  return withDistributedRun(flags, 'faq', async ({ batchId, redis, signal, onProgress, isInteractive }) => {
    const files = await listDocumentFiles(paths.length > 0 ? paths : [join(packageRoot(), 'samples')], { onSkip: warnSkippedDocument });
    const batch = await readFaqDocumentBatch(files, { questions: flags.questions, mode: flags.mode });
    assertQuestionsFit(flags.questions, batch.items.map((item) => ({ file: item.file, characters: item.text?.length ?? 0 })), { perDocument: true });
    // the part size is the workers' setting: only the name and the input travel
    const run = await createRedisRunner({ connection: redis }).runBatch(createFaqDocumentWorkflow(), batch.items, { batchId, signal, onProgress });
    const documents = perDocumentResults(batch, run.results);
    await writeOutput(formatPerDocument(documents, { json: flags.json === true, summary: run.summary }), flags.out);
    return reportFailedDocuments(documents, { summary: run.summary, isInteractive });
  });
}
