import { createRedisRunner } from '../distributed/redis-runner.js';
import { routeQueryWorkflow } from '../workflows/support/route-query-workflow.js';
import { loadRouterConfig } from '../workflows/support/support-intents.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { withDistributedRun } from './with-distributed-run.js';
import { printRoutedBatch, readQueries } from './route-batch.js';

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
    const queries = await readQueries(source);
    const run = await createRedisRunner({ connection: redis }).runBatch(routeQueryWorkflow, queries.map((line) => ({ query: line, config })), { batchId, signal, onProgress });

    return printRoutedBatch(queries, run.results, { summary: run.summary, json: flags.json === true, isInteractive });
  });
}
