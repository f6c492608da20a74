import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { createRedisRunner } from '../distributed/redis-runner.js';
import { InputError } from '../workflows/input-error.js';
import { routeQueryWorkflow } from '../workflows/support/route-query-workflow.js';
import { loadRouterConfig } from '../workflows/support/support-intents.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { summaryJson } from './summary-json.js';
import { describeFinished } from './with-cli-run.js';
import { withDistributedRun } from './with-distributed-run.js';

export interface RouteOnWorkersFlags extends EngineFlags {
  redis: string;
  batch?: string;
  config?: string;
}

/**
 * `braid route --batch FILE --redis URL`: the local batch's workflow, one job per query on the workers; prints the same JSONL,
 * in input order, as the local batch.
 */
export async function runRouteOnWorkers(query: string | undefined, flags: RouteOnWorkersFlags): Promise<number> {
  if (query !== undefined || flags.batch === undefined) {
    process.stderr.write('braid: --redis distributes a batch: give --batch FILE (or - for stdin), not a single query\n');
    return EXIT.usage;
  }
  const source = flags.batch;
  return withDistributedRun(flags, 'route', async ({ batchId, redis, signal, onProgress, isInteractive }) => {
    const config = await loadRouterConfig(flags.config);
    const queries = (await readBatch(source)).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
    if (queries.length === 0) throw new InputError(`${source === '-' ? 'stdin' : source} holds no queries`);
    const run = await createRedisRunner({ connection: redis }).runBatch(routeQueryWorkflow, queries.map((line) => ({ query: line, config })), { batchId, signal, onProgress });

    let failed = 0;
    run.results.forEach((outcome, index) => {
      const line = outcome.ok
        ? { query: queries[index], intent: outcome.value.intent, response: outcome.value.response, ...(outcome.value.fellBack ? { fellBack: true } : {}) }
        : { query: queries[index], error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) };
      if (!outcome.ok) failed += 1;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    });
    const { summary } = run;
    if (flags.json) process.stderr.write(`${JSON.stringify({ summary: summaryJson(summary) })}\n`);
    else if (isInteractive || process.stderr.isTTY) process.stderr.write(`braid: ${describeFinished(summary)}\n`);
    return failed > 0 ? EXIT.failed : EXIT.ok;
  });
}

async function readBatch(source: string): Promise<string> {
  if (source === '-') return text(process.stdin);
  return readFile(source, 'utf8').catch((error: unknown) => {
    throw new InputError(`cannot read ${source}: no such file`, { cause: error });
  });
}
