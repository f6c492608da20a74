import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import { defaultModelSpec } from '../../providers/model-spec.js';
import { evaluateFaq, FAQ_SCORER_NAMES } from '../../workflows/faq/evaluate-faq.js';
import type { FaqMode } from '../../workflows/faq/generate-faq.js';
import { listDocumentFiles, readDocument, type SourceDocument } from '../../workflows/faq/load-documents.js';
import { evaluatePlanning, parseLabelledMessages, PLANNING_SCORER_NAMES, type LabelledMessage } from '../../workflows/orders/evaluate-planning.js';
import type { NumberedLine } from '../../workflows/parse-json-lines.js';
import { evaluateRouting, parseLabelledQueries, ROUTING_SCORER_NAMES, type LabelledQuery } from '../../workflows/support/evaluate-routing.js';
import { loadRouterConfig, type RouterConfig } from '../../workflows/support/support-intents.js';
import { positiveInteger, withEngineFlags } from '../engine-flags.js';
import { withEvalFlags, type EvalFlags } from '../eval-flags.js';
import { formatFaqEvaluation, formatPlanningReport, formatRoutingReport } from '../format-evaluation-report.js';
import { openCliModel, type CliModel } from '../open-cli-model.js';
import { reportError } from '../report-error.js';
import { runEval } from '../run-eval.js';
import { warnSkippedDocument } from '../faq-document-batch.js';

interface EvalRouteFlags extends EvalFlags {
  config?: string;
}

interface EvalFaqFlags extends EvalFlags {
  questions: number;
  mode: FaqMode;
  judge?: string;
}

const GATE_HELP = `
Every eval is stored in the run store under its run id: braid view <id> shows the report, and
--baseline <id|last> compares with an earlier one case by case (improved, regressed, unchanged).
--threshold scorer=value (repeatable) and --max-regressions n make it a CI gate: when one is not
met the command exits 1 and says which scorer failed.

--json prints one object, the same shape for every eval:
  { version, eval: { id, kind, dataset, model, judge?, trials, createdAt },
    scorers: { <name>: { mean, stddev, min, max, count, errors } }, thresholds,
    cases: [{ id, label, input, expected?, scores, path, trials: [{ output?, error?, path,
              scores: { <name>: { score, reason?, error? } } }] }],
    baseline: null | { id, counts, scorers: { <name>: { baseline, current, delta } }, cases },
    gate: { status: passed|failed|none, failures, reason? }, details, summary }`;

/** `braid eval route|orchestrate`: the router's and the planner's quality on a labelled set. */
export function evalCommand(): Command {
  return (
    new Command('eval')
      .description("measure an app's quality: the router or the planner on a labelled set, the FAQ with code scorers and judges")
      .addCommand(evalRouteCommand())
      .addCommand(evalOrchestrateCommand())
      .addCommand(evalFaqCommand())
      // the program hands its settings (exit override, help after errors) to its direct children
      // only; pass them on so `braid eval route` fails like every other command
      .hook('preSubcommand', (parent, subcommand) => {
        subcommand.copyInheritedSettings(parent);
      })
      .addHelpText(
        'after',
        `
Examples:
  $ braid eval route data/eval/support-queries.jsonl --model openai:gpt-4.1-mini
  $ braid eval route data/eval/support-queries.jsonl --baseline last --threshold accuracy=0.9
  $ braid eval orchestrate data/eval/order-messages.jsonl --json > planner-report.json
  $ braid eval faq data/eval/faq --questions 4 --judge openai:gpt-4.1 --repeat 3`,
      )
  );
}

function evalRouteCommand(): Command {
  const command = new Command('route')
    .description("score the support router's classifier on labelled queries: accuracy, confusion matrix, misses")
    .argument('<labelled.jsonl>', 'one {"q": "...", "intent": "..."} per line, or - for stdin')
    .addOption(new Option('--config <file>', 'the router config the labels refer to (intents added or replaced), as for braid route'))
    .addHelpText(
      'after',
      `
Only the classification step runs (the one braid route runs); no handler answers.
A query whose classification fails counts as wrong, in the (fallback) column.

Examples:
  $ braid eval route data/eval/support-queries.jsonl
  $ braid eval route my-tickets.jsonl --model ollama:qwen3:4b --json
  $ braid eval route refunds.jsonl --config intents.json

Labelled line:
  {"q": "I was charged twice for one order", "intent": "Billing Inquiry"}

Scorer: accuracy (1 when the query went to its labelled intent).
details in --json: { accuracy, total, correct, fellBack, perIntent, confusion, misses }, counted over every trial.
${GATE_HELP}`,
    );
  return withEvalFlags(withEngineFlags(command)).action(async (file: string, flags: EvalRouteFlags) => {
    process.exitCode = await runEvalRoute(file, flags);
  });
}

function evalOrchestrateCommand(): Command {
  const command = new Command('orchestrate')
    .description("score the order planner's task extraction on labelled messages: types, ids, whole plans")
    .argument('<labelled.jsonl>', 'one {"q": "...", "tasks": [...]} per line, or - for stdin')
    .addHelpText(
      'after',
      `
Only the planner step runs (the one braid orchestrate runs); no worker touches a database.
Predicted tasks pair with expected ones by type, then by id; ids compare ignoring case and spaces.

Examples:
  $ braid eval orchestrate data/eval/order-messages.jsonl
  $ braid eval orchestrate my-messages.jsonl --model google:gemini-2.5-flash --json

Labelled line (an id the message does not give is null; a message asking for nothing has "tasks": []):
  {"q": "Where is A-12345? And INV-7890 is wrong.",
   "tasks": [{"query_type": "Status Update", "order_id": "A-12345"},
             {"query_type": "Billing Inquiry", "invoice_number": "INV-7890"}]}

Scorers: exactPlan (the whole plan right), taskF1 (task types found), idAccuracy (ids of the matched tasks).
details in --json: { exactMatchRate, messages, exactMatches, failed, tasks, perType, ids, misses }, counted over every trial.
${GATE_HELP}`,
    );
  return withEvalFlags(withEngineFlags(command)).action(async (file: string, flags: EvalFlags) => {
    process.exitCode = await runEvalOrchestrate(file, flags);
  });
}

function evalFaqCommand(): Command {
  const command = new Command('faq')
    .description('write a FAQ from documents and score every entry: code scorers and judges run by a second model')
    .argument('<paths...>', 'Markdown, text or HTML files, or directories of them (data/eval/faq is a labelled set)')
    .addOption(new Option('-q, --questions <n>', 'how many entries the FAQ has').default(5).argParser(positiveInteger))
    .addOption(new Option('--mode <mode>', 'single: one prompt; chain: sequential; parallel: fan out').choices(['single', 'chain', 'parallel']).default('parallel'))
    .addOption(new Option('--judge <spec>', 'the model that judges grounded, cited and answersQuestion (default: --model)'))
    .addOption(new Option('--part-size <chars>', "characters of document per prompt, as for braid faq (default: from the model's context window)").argParser(positiveInteger))
    .addHelpText(
      'after',
      `
Each entry of the FAQ is a case (entry 1 … entry N). Its scorers:
  count            the FAQ has exactly N entries
  distinct         no earlier entry asks the same question
  realSources      it cites at least one source, and only real titles
  answerLength     the answer has 10 to 120 words
  grounded         judge: every claim is supported by the cited documents (the judge sees only those)
  cited            judge: the cited documents contain the support
  answersQuestion  judge: the answer responds to the question
A judge answers yes / partly / no (1 / 0.5 / 0) with a one-sentence reason, through a typed step:
limited, retried, cached and traced like the FAQ's own steps.

Examples:
  $ braid eval faq data/eval/faq --model openai:gpt-4.1-mini --judge openai:gpt-4.1
  $ braid eval faq docs/ --questions 8 --repeat 3 --threshold grounded=0.9 --json
${GATE_HELP}`,
    );
  return withEvalFlags(withEngineFlags(command)).action(async (paths: string[], flags: EvalFaqFlags) => {
    process.exitCode = await runEvalFaq(paths, flags);
  });
}

async function runEvalRoute(file: string, flags: EvalRouteFlags): Promise<number> {
  // bad input fails before the runtime opens: a typo in line 40 must not wait for a model to load
  let config: RouterConfig;
  let labelled: NumberedLine<LabelledQuery>[];
  try {
    config = await loadRouterConfig(flags.config);
    labelled = parseLabelledQueries(await readLabelled(file), config, { source: sourceName(file) });
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  return runEval(flags, {
    kind: 'route',
    dataset: sourceName(file),
    scorerNames: ROUTING_SCORER_NAMES,
    identity: { workflow: 'eval-route', input: { labelled, intents: config.intents, fallback: config.fallback, trials: flags.repeat } },
    measure: async ({ braid, progress }) => {
      progress.setTotal(labelled.length * flags.repeat);
      const { result, report } = await evaluateRouting(braid, labelled, config, { trials: flags.repeat });
      return { result, details: report };
    },
    formatDetails: (report) => formatRoutingReport(report),
  });
}

async function runEvalOrchestrate(file: string, flags: EvalFlags): Promise<number> {
  let labelled: NumberedLine<LabelledMessage>[];
  try {
    labelled = parseLabelledMessages(await readLabelled(file), { source: sourceName(file) });
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  return runEval(flags, {
    kind: 'orchestrate',
    dataset: sourceName(file),
    scorerNames: PLANNING_SCORER_NAMES,
    identity: { workflow: 'eval-orchestrate', input: { labelled, trials: flags.repeat } },
    measure: async ({ braid, progress }) => {
      progress.setTotal(labelled.length * flags.repeat);
      const { result, report } = await evaluatePlanning(braid, labelled, { trials: flags.repeat });
      return { result, details: report };
    },
    formatDetails: (report) => formatPlanningReport(report),
  });
}

async function runEvalFaq(paths: string[], flags: EvalFaqFlags): Promise<number> {
  let documents: SourceDocument[];
  let judge: CliModel | undefined;
  try {
    documents = await Promise.all((await listDocumentFiles(paths, { onSkip: warnSkippedDocument })).map(readDocument));
    // the judge's model is made up front: a missing key fails before the FAQ is paid for
    // (the run's own model when it is the same spec: a local model is loaded once)
    if (flags.judge !== undefined && flags.judge !== (flags.model ?? defaultModelSpec(process.env))) {
      judge = await openCliModel({ model: flags.judge, baseUrl: flags.baseUrl }, process.env);
    }
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  try {
    return await runEval(flags, {
      kind: 'faq',
      dataset: paths.join(' '),
      scorerNames: FAQ_SCORER_NAMES,
      judgeSpec: judge?.modelSpec ?? 'same',
      identity: {
        workflow: 'eval-faq',
        input: { documents: documents.map(({ title, text }) => ({ title, text })), questions: flags.questions, mode: flags.mode, judge: flags.judge ?? null, trials: flags.repeat },
      },
      measure: async ({ braid, progress, promptBudgetCharacters }) => {
        // per trial: the questions step, an answer and sources per question, three judges per entry
        progress.setTotal(flags.repeat * (flags.mode === 'single' ? 1 + 3 * flags.questions : 1 + 5 * flags.questions));
        const { result, trials } = await evaluateFaq(braid, documents, {
          questions: flags.questions,
          mode: flags.mode,
          maxPartCharacters: promptBudgetCharacters,
          trials: flags.repeat,
          ...(judge === undefined ? {} : { judge: judge.model }),
        });
        return { result, details: { questions: flags.questions, documents: documents.map((document) => document.title), trials } };
      },
      formatDetails: (details) => formatFaqEvaluation(details),
      listLowScores: true,
    });
  } finally {
    await judge?.dispose();
  }
}

/** The labelled file's text, or stdin's for `-`. */
async function readLabelled(source: string): Promise<string> {
  if (source === '-') return text(process.stdin);
  return readFile(source, 'utf8').catch((error: unknown) => {
    const isMissing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    throw new InputError(`cannot read ${source}: ${isMissing ? 'no such file' : error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
}

function sourceName(file: string): string {
  return file === '-' ? 'stdin' : file;
}
