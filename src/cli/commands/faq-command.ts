import { join } from 'node:path';
import { Command, Option } from 'commander';
import { cancellationError } from '../../core/errors.js';
import { createLocalRunner } from '../../core/local-runner.js';
import { generateFaq, type FaqMode } from '../../workflows/faq/generate-faq.js';
import { createFaqDocumentWorkflow } from '../../workflows/faq/faq-document-workflow.js';
import { listDocumentFiles, readDocument, type SourceDocument } from '../../workflows/faq/load-documents.js';
import { positiveInteger, withEngineFlags, type EngineFlags } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatPerDocument, listFaqDocumentBatch, perDocumentResults, reportFailedDocuments, warnSkippedDocument } from '../faq-document-batch.js';
import { assertWritable, writeOutput } from '../write-output.js';
import { fingerprintFiles } from '../fingerprint-files.js';
import { formatFaqMarkdown } from '../format-faq.js';
import { packageRoot } from '../package-root.js';
import { redisOption } from '../redis-url-flag.js';
import { reportError } from '../report-error.js';
import { summaryJson } from '../summary-json.js';
import { describeFinished, withCliRun } from '../with-cli-run.js';
import { toTerminalText } from '../terminal-text.js';
import { assertQuestionsFit, measureFiles } from '../check-question-count.js';

interface FaqFlags extends EngineFlags {
  questions: number;
  mode: FaqMode;
  out?: string;
  perDocument?: boolean;
  redis?: string | true;
}


export function faqCommand(): Command {
  const command = new Command('faq')
    .description('generate a FAQ from documents: exactly N questions, answers from the text only, sources from the real titles')
    .argument('[paths...]', 'Markdown, text or HTML files, or directories of them (default: the bundled samples)')
    .addOption(new Option('-q, --questions <n>', 'how many questions').default(5).argParser(positiveInteger))
    .addOption(new Option('--mode <mode>', 'single: one prompt; chain: sequential; parallel: fan out').choices(['single', 'chain', 'parallel']).default('parallel'))
    .addOption(new Option('--per-document', 'one FAQ per document instead of one over all of them'))
    .addOption(new Option('-o, --out <file>', 'write the result to a file instead of stdout'))
    .addOption(redisOption('with --per-document: one job per document on the workers serving this Redis (see braid worker)'))
    .addOption(new Option('--part-size <chars>', "characters of document per prompt; longer documents are split (default: from the model's context window)").argParser(positiveInteger))
    .addHelpText(
      'after',
      `
Examples:
  $ braid faq                                   # the bundled samples, local model
  $ braid faq docs/ --questions 8 --json        # one FAQ over a folder, as JSON
  $ braid faq notes.md --model google:gemini-2.5-flash --rpm 60
  $ braid faq corpus/ --per-document --json --out faqs.json --trace run.jsonl
  $ braid faq corpus/ --per-document --json --redis > faqs.json   # Redis URL in BRAID_REDIS_URL`,
    );
  return withEngineFlags(command).action(async (paths: string[], flags: FaqFlags) => {
    const { redis } = flags;
    // BullMQ and ioredis load only for a distributed run
    process.exitCode = redis === undefined ? await runFaq(paths, flags) : await (await import('../faq-on-workers.js')).runFaqOnWorkers(paths, { ...flags, redis });
  });
}

async function runFaq(paths: string[], flags: FaqFlags): Promise<number> {
  let input: FaqInput;
  try {
    input = await readFaqInput(paths, flags);
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  const { files, documents } = input;
  const identity = {
    workflow: 'faq',
    input: {
      documents: documents ? documents.map(({ title, text }) => ({ title, text })) : await fingerprintFiles(files),
      questions: flags.questions,
      mode: flags.mode,
      perDocument: flags.perDocument === true,
    },
  };
  return withCliRun(flags, identity, async ({ braid, progress, isInteractive, promptBudgetCharacters }) => {
    const options = { questions: flags.questions, mode: flags.mode, maxPartCharacters: promptBudgetCharacters };
    // the steps a FAQ takes when nothing is retried: questions, then an answer and sources per question
    const stepsPerFaq = flags.mode === 'single' ? 1 : 1 + 2 * flags.questions;

    if (documents) {
      progress.setTotal(stepsPerFaq);
      const { faqs, failures } = await braid.group('faq', (faq) => generateFaq(faq, documents, options));
      const summary = braid.summary();
      const text = flags.json
        ? JSON.stringify({ faqs, ...(failures.length > 0 ? { failures } : {}), summary: summaryJson(summary) }, null, 2)
        : formatFaqMarkdown(faqs, documents.length === 1 ? `FAQ: ${documents[0]!.title}` : 'FAQ');
      await writeOutput(text, flags.out);
      for (const failure of failures) process.stderr.write(toTerminalText(`braid: failed "${failure.question}": ${failure.error}\n`));
      if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
      return failures.length > 0 ? EXIT.failed : EXIT.ok;
    }

    const batch = listFaqDocumentBatch(files, { questions: flags.questions, mode: flags.mode });
    progress.setTotal(stepsPerFaq * batch.items.length);
    // the very workflow `--redis` sends to the workers, run here
    const results = await createLocalRunner(braid, { concurrency: 16 }).run(createFaqDocumentWorkflow({ maxPartCharacters: promptBudgetCharacters }), batch.items);
    const perDocument = perDocumentResults(batch, results);
    const summary = braid.summary();
    await writeOutput(formatPerDocument(perDocument, { json: flags.json === true, summary }), flags.out);
    // the documents that finished are written above; a cancelled run still ends as cancelled
    if (braid.signal.aborted) throw cancellationError(braid.signal);
    return reportFailedDocuments(perDocument, { summary, isInteractive });
  });
}

interface FaqInput {
  files: string[];
  /** Read up front for one FAQ over all of them; per document, read as the batch's items. */
  documents?: SourceDocument[];
}

/** Bad input fails before the runtime opens: a typo must not wait for a model to load. */
async function readFaqInput(paths: string[], flags: FaqFlags): Promise<FaqInput> {
  const files = await listDocumentFiles(paths.length > 0 ? paths : [join(packageRoot(), 'samples')], { onSkip: warnSkippedDocument });
  if (flags.out) await assertWritable(flags.out);
  const documents = flags.perDocument ? undefined : await Promise.all(files.map(readDocument));
  const measured = documents?.map(({ file, text }) => ({ file, characters: text.length })) ?? (await measureFiles(files));
  assertQuestionsFit(flags.questions, measured, { perDocument: documents === undefined });
  return { files, documents };
}

