import { randomUUID } from 'node:crypto';
import { RunCancelledError } from '../core/errors.js';
import type { BatchProgress } from '../distributed/run-distributed.js';
import { describeRedisUrl } from '../distributed/redis-connection-options.js';
import { checkBatchId } from '../distributed/batch-keys.js';
import { createBatchProgress } from './batch-progress.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { reportError } from './report-error.js';

export interface DistributedRunContext {
  batchId: string;
  redis: string;
  /** Aborts on Ctrl-C: the producer stops waiting; the workers go on. */
  signal: AbortSignal;
  onProgress: (progress: BatchProgress) => void;
  isInteractive: boolean;
}

/** Engine flags that are the workers' business once a batch is distributed. */
const WORKER_FLAGS: [keyof EngineFlags, string][] = [
  ['concurrency', '--concurrency'],
  ['rpm', '--rpm'],
  ['tpm', '--tpm'],
  ['timeout', '--timeout'],
  ['maxCost', '--max-cost'],
  ['trace', '--trace'],
  ['store', '--store'],
  ['cache', '--cache'],
];

/**
 * The life of a distributed CLI run (`--redis`): names the batch, shows progress over all
 * workers, turns Ctrl-C into "stop waiting" (the workers keep going, and the same command with
 * `--run-id` collects the batch later), and prints errors as one line. Returns the exit code.
 */
export async function withDistributedRun(
  flags: EngineFlags & { redis: string },
  workflow: string,
  body: (context: DistributedRunContext) => Promise<number>,
): Promise<number> {
  const controller = new AbortController();
  const isInteractive = process.stdout.isTTY === true && !flags.json;
  const progress = createBatchProgress({ enabled: isInteractive, label: workflow });
  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  let batchId: string | undefined;
  try {
    batchId = checkBatchId(flags.runId ?? randomUUID());
    const redis = describeRedisUrl(flags.redis);
    process.stderr.write(`braid: run ${batchId} (on the workers of ${redis})\n`);
    for (const [flag, name] of WORKER_FLAGS) {
      if (flags[flag] !== undefined) process.stderr.write(`braid: ${name} is ignored with --redis: it is a setting of braid worker\n`);
    }
    const code = await body({ batchId, redis: flags.redis, signal: controller.signal, onProgress: progress.update, isInteractive });
    progress.stop();
    return code;
  } catch (error) {
    progress.stop();
    if (error instanceof RunCancelledError && controller.signal.aborted) {
      process.stderr.write(`braid: ${error.message}; run the same command with --run-id ${batchId} to collect its results\n`);
      return EXIT.cancelled;
    }
    return reportError(error, { verbose: flags.verbose });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
