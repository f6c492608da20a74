import { InvalidArgumentError, Option, type Command } from 'commander';
import { positiveInteger, type EngineFlags } from './engine-flags.js';

/** The flags every `braid eval` command shares: trials, the baseline and the gate. */
export interface EvalFlags extends EngineFlags {
  repeat: number;
  baseline?: string;
  threshold: Record<string, number>;
  maxRegressions?: number;
}

/** Adds the eval flags to a command. */
export function withEvalFlags(command: Command): Command {
  return command
    .addOption(new Option('--repeat <k>', 'run every case K times: each scorer gets a mean and a spread').default(1).argParser(positiveInteger))
    .addOption(new Option('--baseline <eval-id|last>', 'compare with that eval (last: the newest of this kind on this data set that did not fail its gate)'))
    .addOption(
      new Option('--threshold <scorer=value>', 'fail (exit 1) when the scorer\'s mean is below value, 0 to 1; repeatable').default({}, 'none').argParser(collectThreshold),
    )
    .addOption(new Option('--max-regressions <n>', 'fail (exit 1) when more than n cases regressed against --baseline').argParser(nonNegativeInteger));
}

function collectThreshold(text: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([^=\s]+)=(.+)$/.exec(text.trim());
  const value = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError(`expected scorer=value with a value from 0 to 1, e.g. accuracy=0.9, got "${text}"`);
  }
  return { ...previous, [match[1]!]: value };
}

function nonNegativeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`expected a whole number of at least 0, got "${text}"`);
  return value;
}
