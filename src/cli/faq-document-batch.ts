import type { Settled } from '../core/parallel.js';
import type { RunSummary } from '../core/run-summary.js';
import type { FaqDocumentInput, FaqDocumentOutput } from '../workflows/faq/faq-document-workflow.js';
import type { FaqMode } from '../workflows/faq/generate-faq.js';
import { readDocument } from '../workflows/faq/load-documents.js';
import { formatFaqMarkdown } from './format-faq.js';
import { EXIT } from './exit-codes.js';
import { summaryJson } from './summary-json.js';
import { describeFinished } from './with-cli-run.js';
import { toTerminalJson, toTerminalText } from './terminal-text.js';
import { redactSecrets } from '../core/redact-secrets.js';

/** The documents of a `--per-document` run, read: the runner's items, and each file's place among them. */
export interface FaqDocumentBatch {
  /** One per file, in file order: its item's index, or why it could not be read. */
  entries: ({ file: string; item: number } | { file: string; error: string })[];
  items: FaqDocumentInput[];
}

export type PerDocumentResult =
  | { file: string; title: string; faqs: FaqDocumentOutput['faqs']; failures?: FaqDocumentOutput['failures'] }
  | { file: string; error: string; faqs: [] };

/**
 * Reads every file into the `faq` workflow's input, for workers that share no disk with us. A
 * file that cannot be read fails alone, as its item would; the others become items.
 */
export async function readFaqDocumentBatch(files: readonly string[], { questions, mode }: { questions: number; mode: FaqMode }): Promise<FaqDocumentBatch> {
  const items: FaqDocumentInput[] = [];
  const entries: FaqDocumentBatch['entries'] = [];
  const read = await Promise.all(
    files.map(async (file) => {
      try {
        return { file, document: await readDocument(file) };
      } catch (error) {
        return { file, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  for (const entry of read) {
    if (entry.document) {
      entries.push({ file: entry.file, item: items.length });
      items.push({ file: entry.file, title: entry.document.title, text: entry.document.text, questions, mode });
    } else {
      entries.push({ file: entry.file, error: entry.error ?? 'unreadable' });
    }
  }
  return { entries, items };
}

/** Says on stderr that a file inside a folder was left out, and why (`listDocumentFiles`' `onSkip`). */
export function warnSkippedDocument(file: string, reason: string): void {
  process.stderr.write(toTerminalText(`braid: ${file} ${reason}; skipped\n`));
}

/** The local runner's batch: paths only, each file read when its item runs. */
export function listFaqDocumentBatch(files: readonly string[], { questions, mode }: { questions: number; mode: FaqMode }): FaqDocumentBatch {
  return {
    entries: files.map((file, item) => ({ file, item })),
    items: files.map((file) => ({ file, questions, mode })),
  };
}

/** Each file's outcome, in file order, from the runner's results. */
export function perDocumentResults({ entries, items }: FaqDocumentBatch, results: readonly Settled<FaqDocumentOutput>[]): PerDocumentResult[] {
  return entries.map((entry): PerDocumentResult => {
    if ('error' in entry) return { file: entry.file, error: entry.error, faqs: [] };
    const result = results[entry.item];
    if (!result?.ok) return { file: entry.file, error: result ? messageOf(result.error) : 'not run', faqs: [] };
    const { faqs, failures } = result.value;
    return { file: entry.file, title: result.value.title, faqs, ...(failures.length > 0 ? { failures } : {}) };
  });
}

/** What `--per-document` prints: JSON with the summary, or one Markdown FAQ per document. */
export function formatPerDocument(documents: readonly PerDocumentResult[], { json, summary }: { json: boolean; summary: RunSummary }): string {
  return json
    ? toTerminalJson({ documents, summary: summaryJson(summary) }, 2)
    : documents.map((document) => ('error' in document ? toTerminalText(`# ${document.file}\n\nFailed: ${document.error}\n`) : formatFaqMarkdown(document.faqs, `FAQ: ${document.title}`))).join('\n');
}

/** A failed document's error, as printed and in `--json`: a provider's message may echo the key. */
function messageOf(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

/** Names each document that failed on stderr, then the summary on a TTY; returns the exit code. */
export function reportFailedDocuments(documents: readonly PerDocumentResult[], { summary, isInteractive }: { summary: RunSummary; isInteractive: boolean }): number {
  const failed = documents.filter((document) => 'error' in document || 'failures' in document);
  for (const document of failed) if ('error' in document) process.stderr.write(toTerminalText(`braid: failed ${document.file}: ${document.error}\n`));
  if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}
