import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { combineSummaries } from '../distributed/combine-summaries.js';
import type { ItemInputs } from '../distributed/job-payloads.js';
import { runDistributed } from '../distributed/run-distributed.js';
import type { FaqMode } from '../workflows/faq/generate-faq.js';
import { listDocumentFiles, readDocument } from '../workflows/faq/load-documents.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { formatFaqMarkdown } from './format-faq.js';
import { packageRoot } from './package-root.js';
import { summaryJson } from './summary-json.js';
import { describeFinished } from './with-cli-run.js';
import { withDistributedRun } from './with-distributed-run.js';

export interface FaqOnWorkersFlags extends EngineFlags {
  redis: string;
  questions: number;
  mode: FaqMode;
  out?: string;
  perDocument?: boolean;
}

/**
 * `braid faq --per-document --redis URL`: one job per document on the workers, results collected
 * in input order and printed exactly as the local `--per-document` run prints them.
 */
export async function runFaqOnWorkers(paths: readonly string[], flags: FaqOnWorkersFlags): Promise<number> {
  if (!flags.perDocument) {
    process.stderr.write('braid: --redis runs one job per document: add --per-document (see braid faq --help)\n');
    return EXIT.usage;
  }
  return withDistributedRun(flags, 'faq', async ({ batchId, redis, signal, onProgress, isInteractive }) => {
    const files = await listDocumentFiles(paths.length > 0 ? paths : [join(packageRoot(), 'samples')]);
    // a document that cannot be read fails here, as its item would in the local run; the rest go out
    const read = await Promise.all(
      files.map(async (file) => {
        try {
          return { file, document: await readDocument(file) };
        } catch (error) {
          return { file, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const items: ItemInputs['faq'][] = read.flatMap((entry) =>
      entry.document ? [{ file: entry.file, title: entry.document.title, text: entry.document.text, questions: flags.questions, mode: flags.mode }] : [],
    );
    const run = await runDistributed({ connection: redis, kind: 'faq', items, batchId, signal, onProgress });

    let next = 0;
    const documents = read.map((entry) => {
      if (!entry.document) return { file: entry.file, error: entry.error ?? 'unreadable', faqs: [] };
      const outcome = run.results[next++]!;
      if (!outcome.ok) return { file: entry.file, error: outcome.error, faqs: [] };
      const { file, title, faqs, failures } = outcome.value;
      return { file, title, faqs, ...(failures.length > 0 ? { failures } : {}) };
    });
    const summary = combineSummaries(batchId, run.results.flatMap((outcome) => (outcome.ok ? [outcome.value.summary] : [])), run.wallMs);
    const text = flags.json
      ? JSON.stringify({ documents, summary: summaryJson(summary) }, null, 2)
      : documents.map((document) => ('error' in document ? `# ${document.file}\n\nFailed: ${document.error}\n` : formatFaqMarkdown(document.faqs, `FAQ: ${document.title}`))).join('\n');
    if (flags.out) {
      await writeFile(flags.out, `${text}\n`);
      process.stderr.write(`braid: wrote ${flags.out}\n`);
    } else {
      process.stdout.write(`${text}\n`);
    }
    const failed = documents.filter((document) => 'error' in document || 'failures' in document);
    for (const document of failed) if ('error' in document) process.stderr.write(`braid: failed ${document.file}: ${document.error}\n`);
    if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  });
}
