import { InvalidArgumentError, Option, type Command } from 'commander';
import { baseUrlProblem } from '../providers/base-url-problem.js';
import { assertOutputPathsWritable } from './write-output.js';

/** The flags every command that calls a model shares; they map one to one onto the engine. */
export interface EngineFlags {
  model?: string;
  baseUrl?: string;
  concurrency?: number;
  rpm?: number;
  tpm?: number;
  timeout?: number;
  maxCost?: number;
  trace?: string;
  json?: boolean;
  verbose?: boolean;
  runId?: string;
  resume?: string;
  store?: string;
  cache?: boolean;
  strictResume?: boolean;
  prices?: string;
  /** `braid faq --part-size`: characters of document per prompt, instead of the model's context window. */
  partSize?: number;
}

/** Adds the engine flags to a command, and the check of its output paths before it runs. */
export function withEngineFlags(command: Command): Command {
  return command
    .hook('preAction', (_command, actionCommand) => assertOutputPathsWritable(actionCommand.opts()))
    .addOption(new Option('-m, --model <spec>', 'model spec: google:<id>, openai:<id>, anthropic:<id>, openai-compatible:<id>, ollama:<id>, local[:path.gguf]').env('BRAID_MODEL'))
    .addOption(new Option('--base-url <url>', "override the provider's base URL").env('BRAID_BASE_URL').argParser(httpUrl))
    .addOption(new Option('--concurrency <n>', 'calls in flight at once per model (default: 32 cloud, halving on 429s; local: from cores and memory)').argParser(positiveInteger))
    .addOption(new Option('--rpm <n>', "the provider's requests-per-minute limit (default: learned from its answers; see braid limits)").argParser(positiveInteger))
    .addOption(new Option('--tpm <n>', "the provider's tokens-per-minute limit (default: learned from its answers)").argParser(positiveInteger))
    .addOption(new Option('--timeout <ms>', 'deadline of each call in milliseconds (default: 60000 cloud, 600000 local)').argParser(positiveInteger))
    .addOption(new Option('--max-cost <usd>', 'hard spending cap for the run, in USD').argParser(positiveNumber))
    .addOption(new Option('--prices <file>', 'JSON of USD per million tokens by provider:model, merged over the built-in table (for --max-cost and costs)'))
    .addOption(new Option('--trace <file>', 'write every span to this JSONL file'))
    .addOption(new Option('--run-id <id>', 'name the run (default: generated, printed to stderr)'))
    .addOption(new Option('--resume <id>', 'continue that run: steps it finished replay from the journal').conflicts('runId'))
    .addOption(new Option('--strict-resume', 'on a resume, fail on a step whose prompt, model or schema changed instead of running it again'))
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    .addOption(new Option('--cache', 'reuse answers cached by earlier runs with the same model, prompt and schema'))
    .addOption(new Option('--json', 'print one JSON object (or JSONL in batch mode) instead of Markdown'))
    .addOption(new Option('--verbose', 'show stack traces on errors'));
}

export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${text}"`);
  return value;
}

/** A provider base URL, checked before anything runs: a malformed one would fail only at the first call. */
export function httpUrl(text: string): string {
  const problem = baseUrlProblem(text);
  if (problem) throw new InvalidArgumentError(problem);
  return text;
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`expected a positive number, got "${text}"`);
  return value;
}
