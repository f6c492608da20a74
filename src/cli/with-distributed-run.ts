import { randomUUID } from 'node:crypto';
import { RunCancelledError } from '../core/errors.js';
import { checkBatchId } from '../distributed/batch-keys.js';
import type { RedisBatchRun } from '../distributed/redis-runner.js';
import { describeRedisUrl, redisOptionsFromUrl } from '../distributed/redis-connection-options.js';
import type { BatchProgress } from '../distributed/run-distributed.js';
import { createBatchProgress } from './batch-progress.js';
import type { EngineFlags } from './engine-flags.js';
import { EXIT } from './exit-codes.js';
import { printRedisErrors } from './print-redis-errors.js';
import { recordedCommand, redisUrlOf } from './redis-url-flag.js';
import { reportError } from './report-error.js';

export interface DistributedRunContext {
  batchId: string;
  /** The Redis URL, resolved (from BRAID_REDIS_URL for a bare `--redis`). */
  redis: string;
  /** What the runner takes for this command: where, which batch, which model, how to report. */
  runOptions: {
    signal: AbortSignal;
    onProgress: (progress: BatchProgress) => void;
    batchId: string;
    /** `--model`: the workers must serve it (refused if one serves another); undefined: their model. */
    model: string | undefined;
    command: string[] | undefined;
  };
  onRedisError: (error: Error) => void;
  /** Says how a resumed batch was picked up; call it with the run's outcome. */
  reportRequeued: (run: Pick<RedisBatchRun<unknown>, 'requeued'>) => void;
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
  ['partSize', '--part-size'],
  ['prices', '--prices'],
];

/**
 * The life of a distributed CLI run (`--redis`): names the batch, shows progress over all
 * workers, turns Ctrl-C into "stop waiting" (the workers keep going, and `braid resume <id>`
 * collects the batch later), and prints errors as one line. Returns the exit code.
 */
export async function withDistributedRun(
  flags: EngineFlags & { redis: string | true },
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
    const redis = redisUrlOf(flags.redis);
    redisOptionsFromUrl(redis); // a bad URL is a usage error before anything is read
    // `--resume <id>` names the batch as `--run-id <id>` does: collecting it is resuming it
    batchId = checkBatchId(flags.runId ?? flags.resume ?? randomUUID());
    process.stderr.write(`braid: run ${batchId} (on the workers of ${describeRedisUrl(redis)}${flags.model ? `, which must serve ${flags.model}` : ", on the workers' model"})\n`);
    for (const [flag, name] of WORKER_FLAGS) {
      if (flags[flag] !== undefined) process.stderr.write(`braid: ${name} is ignored with --redis: the items run with the workers' settings (see braid worker --help)\n`);
    }
    const argv = process.argv.slice(2);
    // a `braid resume` reruns the recorded command: the batch keeps the command it was started with
    const command = argv[0] === 'resume' || argv[0] === 'retry' ? undefined : recordedCommand(argv);
    const id = batchId;
    const code = await body({
      batchId,
      redis,
      runOptions: { signal: controller.signal, onProgress: progress.update, batchId, model: flags.model, command },
      onRedisError: printRedisErrors(redis),
      reportRequeued: ({ requeued }) => {
        if (requeued > 0) process.stderr.write(`braid: batch ${id} had ${requeued} item${requeued === 1 ? '' : 's'} failed for good: enqueued again (journaled steps replay)\n`);
      },
      isInteractive,
    });
    progress.stop();
    return code;
  } catch (error) {
    progress.stop();
    if (error instanceof RunCancelledError && controller.signal.aborted) {
      process.stderr.write(`braid: ${error.message}; braid resume ${batchId} collects its results\n`);
      return EXIT.cancelled;
    }
    return reportError(error, { verbose: flags.verbose });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
