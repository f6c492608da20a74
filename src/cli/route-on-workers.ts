import { createRedisRunner } from '../distributed/redis-runner.js';
import { routeQueryWorkflow } from '../workflows/support/route-query-workflow.js';
import { loadRouterConfig } from '../workflows/support/support-intents.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { withDistributedRun } from './with-distributed-run.js';
import { printRoutedBatch, readQueries } from './route-batch.js';

export interface RouteOnWorkersFlags extends EngineFlags {
  /** A URL, or `true` for a bare `--redis` (BRAID_REDIS_URL). */
  redis: string | true;
  batch?: string;
  config?: string;
}

/**
 * `braid route --batch FILE --redis`: the local batch's workflow, one job per query on the workers; prints the same JSONL,
 * in input order, as the local batch.
 */
export async function runRouteOnWorkers(query: string | undefined, flags: RouteOnWorkersFlags): Promise<number> {
  if (query !== undefined || flags.batch === undefined) {
    process.stderr.write('braid: --redis distributes a batch: give --batch FILE (or - for stdin), not a single query\n');
    return EXIT.usage;
  }
  const source = flags.batch;
  return withDistributedRun(flags, 'route', async ({ redis, runOptions, onRedisError, reportRequeued, isInteractive }) => {
    const config = await loadRouterConfig(flags.config);
    const queries = await readQueries(source);
    const run = await createRedisRunner({ connection: redis, onRedisError }).runBatch(routeQueryWorkflow, queries.map((line) => ({ query: line, config })), runOptions);
    reportRequeued(run);
    return printRoutedBatch(queries, run.results, { summary: run.summary, json: flags.json === true, isInteractive });
  });
}
