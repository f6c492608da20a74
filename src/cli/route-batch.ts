import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { Settled } from '../core/parallel.js';
import type { RunSummary } from '../core/run-summary.js';
import { InputError } from '../core/errors.js';
import type { RouteQueryOutput } from '../workflows/support/route-query-workflow.js';
import { EXIT } from './exit-codes.js';
import { summaryJson } from './summary-json.js';
import { describeFinished } from './with-cli-run.js';
import { toTerminalJson } from './terminal-text.js';
import { redactSecrets } from '../core/redact-secrets.js';

/** The non-empty lines of a batch file, or of stdin for `-`. */
export async function readQueries(source: string): Promise<string[]> {
  const content =
    source === '-'
      ? await text(process.stdin)
      : await readFile(source, 'utf8').catch((error: unknown) => {
          throw new InputError(`cannot read ${source}: no such file`, { cause: error });
        });
  const queries = content.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (queries.length === 0) throw new InputError(`${source === '-' ? 'stdin' : source} holds no queries`);
  return queries;
}

/** Prints a routed batch as JSONL in input order while it runs: each line as soon as every line before it is out. */
export interface RoutedBatchPrinter {
  /** One query's outcome, in any order. */
  onResult(index: number, result: Settled<RouteQueryOutput>): void;
  /** Prints what is left (a query that never settled gets an error line), then the summary on stderr; returns the exit code. */
  finish(options: { summary: RunSummary; json: boolean; isInteractive: boolean }): number;
}

export function createRoutedBatchPrinter(queries: readonly string[]): RoutedBatchPrinter {
  // results that arrived before an earlier one: held only until the gap before them closes
  const waiting = new Map<number, Settled<RouteQueryOutput>>();
  let next = 0;
  let failed = 0;
  // the queries a cancellation left unstarted share one error: its text is made once, not once a line
  // (redacting it 800,000 times took 0.6 s of a cancelled batch's exit)
  let lastError: { error: unknown; text: string } | undefined;
  const errorText = (error: unknown): string => {
    if (lastError === undefined || lastError.error !== error) lastError = { error, text: redactSecrets(error instanceof Error ? error.message : String(error)) };
    return lastError.text;
  };
  const lineOf = (index: number, result: Settled<RouteQueryOutput>): string => {
    const line = result.ok
      ? { query: queries[index], intent: result.value.intent, response: result.value.response, ...(result.value.fellBack ? { fellBack: true } : {}) }
      : { query: queries[index], error: errorText(result.error) };
    if (!result.ok) failed += 1;
    return `${toTerminalJson(line)}\n`;
  };
  return {
    onResult(index, result) {
      waiting.set(index, result);
      for (let ready = waiting.get(next); ready; ready = waiting.get(next)) {
        waiting.delete(next);
        process.stdout.write(lineOf(next, ready));
        next += 1;
      }
    },
    finish({ summary, json, isInteractive }) {
      const notRun: Settled<RouteQueryOutput> = { ok: false, error: new Error('not run') };
      // what is left goes out a thousand lines per write: a write per line made a cancelled batch of
      // 1,000,000 lines queue a buffer per line and take seconds to exit
      let block: string[] = [];
      for (; next < queries.length; next += 1) {
        block.push(lineOf(next, waiting.get(next) ?? notRun));
        if (block.length === 1_000) {
          process.stdout.write(block.join(''));
          block = [];
        }
      }
      if (block.length > 0) process.stdout.write(block.join(''));
      if (json) process.stderr.write(`${JSON.stringify({ summary: summaryJson(summary) })}\n`);
      else if (isInteractive || process.stderr.isTTY) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
      return failed > 0 ? EXIT.failed : EXIT.ok;
    },
  };
}

/** Prints a whole routed batch at once (the `--redis` path, which collects results in order), as the streaming printer does. */
export function printRoutedBatch(
  queries: readonly string[],
  results: readonly Settled<RouteQueryOutput>[],
  options: { summary: RunSummary; json: boolean; isInteractive: boolean },
): number {
  const printer = createRoutedBatchPrinter(queries);
  results.forEach((result, index) => printer.onResult(index, result));
  return printer.finish(options);
}
