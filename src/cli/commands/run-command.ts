import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import type { AnyBatchWorkflow } from '../../core/batch-workflow.js';
import { z } from 'zod';
import { InvalidWorkflowOutputError } from '../../core/batch-workflow-errors.js';
import { InputError } from '../../core/errors.js';
import { withEngineFlags, type EngineFlags } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { summaryJson } from '../summary-json.js';
import { describeFinished, withCliRun } from '../with-cli-run.js';

interface RunFlags extends EngineFlags {
  export: string;
}

export function runCommand(): Command {
  const command = new Command('run')
    .description('run your own workflow (a module exporting defineBatchWorkflow) on one input, as a durable run')
    .argument('<module>', 'the workflow module: its default export (or --export) is a defineBatchWorkflow definition')
    .argument('[input]', "the workflow's input as JSON", '{}')
    .addOption(new Option('--export <name>', 'the export that holds the workflow').default('default'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid run ./refund.js '{"order": "A-12345"}' --model openai:gpt-4.1-mini
  $ braid run ./refund.js '{"order": "A-12345"}' --run-id refund-a12345
  $ braid signal refund-a12345 approval '{"approved": true}'   # when it waits for an approval

The output (checked against the workflow's output schema) is printed as JSON. A run that waits
(run.waitFor, run.sleep) exits 0 saying what it waits for; braid signal or braid resume goes on.`,
    );
  return withEngineFlags(command).action(async (module: string, input: string, flags: RunFlags) => {
    process.exitCode = await runWorkflowModule(module, input, flags);
  });
}

async function runWorkflowModule(module: string, inputText: string, flags: RunFlags): Promise<number> {
  // bad input fails before the runtime opens: a typo must not wait for a model to load
  let workflow: AnyBatchWorkflow;
  let input: unknown;
  try {
    workflow = await loadWorkflow(module, flags.export);
    input = parseInput(workflow, inputText);
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  return withCliRun(flags, { workflow: workflow.name, input: { input } }, async ({ braid, isInteractive }) => {
    // the same scope a distributed item runs in, so a workflow's journal keys do not depend on where it runs
    const output = workflow.output.safeParse(await braid.group(workflow.name, (run) => workflow.run(run, input)));
    if (!output.success) throw new InvalidWorkflowOutputError(workflow.name, { cause: output.error });
    const summary = braid.summary();
    process.stdout.write(`${JSON.stringify(flags.json ? { output: output.data, summary: summaryJson(summary) } : output.data, null, 2)}\n`);
    if (isInteractive) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
    return EXIT.ok;
  });
}

async function loadWorkflow(module: string, exportName: string): Promise<AnyBatchWorkflow> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(resolve(module)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`cannot load the workflow module ${module}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const candidate = loaded[exportName];
  if (!isBatchWorkflow(candidate)) {
    const names = Object.keys(loaded).filter((name) => isBatchWorkflow(loaded[name]));
    throw new InputError(
      `${module} has no workflow as its ${exportName === 'default' ? 'default export' : `export "${exportName}"`}` +
        (names.length > 0 ? `; it exports ${names.join(', ')} (use --export)` : '; export one made with defineBatchWorkflow'),
    );
  }
  return candidate;
}

function isBatchWorkflow(value: unknown): value is AnyBatchWorkflow {
  if (typeof value !== 'object' || value === null) return false;
  const workflow = value as Record<string, unknown>;
  const isSchema = (schema: unknown): boolean => typeof (schema as { safeParse?: unknown } | undefined)?.safeParse === 'function';
  return typeof workflow.name === 'string' && typeof workflow.run === 'function' && isSchema(workflow.input) && isSchema(workflow.output);
}

function parseInput(workflow: AnyBatchWorkflow, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`the input is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = workflow.input.safeParse(value);
  if (!parsed.success) throw new InputError(`the input does not fit workflow ${workflow.name}:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}
