import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import type { Settled } from '../core/parallel.js';
import type { RunSummary } from '../core/run-summary.js';
import { InputError } from '../core/errors.js';
import type { RouteQueryOutput } from '../workflows/support/route-query-workflow.js';
import { EXIT } from './exit-codes.js';
import { summaryJson } from './summary-json.js';
import { describeFinished } from './with-cli-run.js';

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

/**
 * Prints a routed batch as JSONL in input order (an `error` line for a failed query), then the
 * summary on stderr; returns the exit code. The local and the `--redis` batch print alike.
 */
export function printRoutedBatch(
  queries: readonly string[],
  results: readonly Settled<RouteQueryOutput>[],
  { summary, json, isInteractive }: { summary: RunSummary; json: boolean; isInteractive: boolean },
): number {
  let failed = 0;
  results.forEach((result, index) => {
    const line = result.ok
      ? { query: queries[index], intent: result.value.intent, response: result.value.response, ...(result.value.fellBack ? { fellBack: true } : {}) }
      : { query: queries[index], error: result.error instanceof Error ? result.error.message : String(result.error) };
    if (!result.ok) failed += 1;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
  if (json) process.stderr.write(`${JSON.stringify({ summary: summaryJson(summary) })}\n`);
  else if (isInteractive || process.stderr.isTTY) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
