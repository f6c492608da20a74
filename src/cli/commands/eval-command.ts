import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import { evaluatePlanning, parseLabelledMessages, type LabelledMessage } from '../../workflows/orders/evaluate-planning.js';
import type { NumberedLine } from '../../workflows/parse-json-lines.js';
import { evaluateRouting, parseLabelledQueries, type LabelledQuery } from '../../workflows/support/evaluate-routing.js';
import { loadRouterConfig, type RouterConfig } from '../../workflows/support/support-intents.js';
import { withEngineFlags, type EngineFlags } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatPlanningReport, formatRoutingReport } from '../format-evaluation-report.js';
import { reportError } from '../report-error.js';
import { summaryJson } from '../summary-json.js';
import { describeFinished, withCliRun } from '../with-cli-run.js';

interface EvalRouteFlags extends EngineFlags {
  config?: string;
}

/** `braid eval route|orchestrate`: the router's and the planner's quality on a labelled set. */
export function evalCommand(): Command {
  return (
    new Command('eval')
      .description("measure the router's or the planner's quality on a labelled set")
      .addCommand(evalRouteCommand())
      .addCommand(evalOrchestrateCommand())
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
  $ braid eval orchestrate data/eval/order-messages.jsonl --json > planner-report.json`,
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

--json prints { accuracy, total, correct, fellBack, perIntent, confusion, misses, summary }.`,
    );
  return withEngineFlags(command).action(async (file: string, flags: EvalRouteFlags) => {
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

--json prints { exactMatchRate, messages, exactMatches, failed, tasks, perType, ids, misses, summary }.`,
    );
  return withEngineFlags(command).action(async (file: string, flags: EngineFlags) => {
    process.exitCode = await runEvalOrchestrate(file, flags);
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
  const identity = { workflow: 'eval-route', input: { labelled, intents: config.intents, fallback: config.fallback } };
  return withCliRun(flags, identity, async ({ braid, progress, isInteractive }) => {
    progress.setTotal(labelled.length);
    const report = await evaluateRouting(braid, labelled, config);
    const summary = braid.summary();
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, summary: summaryJson(summary) }, null, 2)}\n`);
    else process.stdout.write(formatRoutingReport(report));
    if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
    return EXIT.ok;
  });
}

async function runEvalOrchestrate(file: string, flags: EngineFlags): Promise<number> {
  let labelled: NumberedLine<LabelledMessage>[];
  try {
    labelled = parseLabelledMessages(await readLabelled(file), { source: sourceName(file) });
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  return withCliRun(flags, { workflow: 'eval-orchestrate', input: { labelled } }, async ({ braid, progress, isInteractive }) => {
    progress.setTotal(labelled.length);
    const report = await evaluatePlanning(braid, labelled);
    const summary = braid.summary();
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...report, summary: summaryJson(summary) }, null, 2)}\n`);
    else process.stdout.write(formatPlanningReport(report));
    if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
    return EXIT.ok;
  });
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
