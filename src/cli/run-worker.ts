import { createLimiterRegistry, type LimiterRegistry } from '../core/limiter-registry.js';
import { authReplyOf } from '../distributed/connect-to-redis.js';
import { BatchNotFoundError, RedisAuthError } from '../distributed/distributed-errors.js';
import { describeRedisUrl, redisOptionsFromUrl } from '../distributed/redis-connection-options.js';
import { readBatchStatus, type BatchStatus } from '../distributed/read-batch-status.js';
import { startWorker, type WorkerEvent } from '../distributed/start-worker.js';
import { builtInWorkflows } from '../workflows/built-in-workflows.js';
import { EXIT } from './exit-codes.js';
import { openCliModel, type CliModel } from './open-cli-model.js';
import { printRedisErrors } from './print-redis-errors.js';
import { redisUrlOf } from './redis-url-flag.js';
import { toTerminalText } from './terminal-text.js';
import { reportError } from './report-error.js';
import type { WorkerFlags } from './commands/worker-command.js';

/** How long a second Ctrl-C waits for Redis to take the jobs back before the worker exits anyway. */
const HAND_BACK_TIMEOUT_MS = 10_000;

/** `braid worker`: serve jobs, or with `--status` print a batch's state. Loaded only when a worker runs. */
export async function runWorker(flags: WorkerFlags): Promise<number> {
  return flags.status === undefined ? serve(flags) : printStatus(flags.status, flags);
}

/** Prints a distributed batch's state and its failed items (`braid worker --status`, `braid runs <id> --redis`). */
export async function printStatus(batchId: string, flags: { redis: string | true; json?: boolean; verbose?: boolean }): Promise<number> {
  let status: BatchStatus;
  try {
    const redis = redisUrlOf(flags.redis);
    status = await readBatchStatus({ connection: redis, batchId, onRedisError: printRedisErrors(redis) });
  } catch (error) {
    const code = reportError(error, { verbose: flags.verbose });
    return error instanceof BatchNotFoundError ? EXIT.usage : code;
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `batch ${status.batchId} (${status.kind}): ${status.state} · ${status.completed} of ${status.total} done · ${status.failed.length} failed · ${status.pending} pending`,
    // an error string comes from Redis: no control character of it reaches the terminal
    ...status.failed.map((item) => `  failed #${item.index} (job ${item.jobId}) after ${item.attempts} attempt${item.attempts === 1 ? '' : 's'}: ${toTerminalText(item.error).replace(/\n/g, ' ')}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function serve(flags: WorkerFlags): Promise<number> {
  const env = process.env;
  let cliModel: CliModel | undefined;
  try {
    redisOptionsFromUrl(flags.redis); // a bad URL fails before a local model loads
    cliModel = await openCliModel(flags, env);
    const { model, modelSpec } = cliModel;
    // a local model's capacity is this machine's own: its budget is not shared through Redis
    const limiters: LimiterRegistry | undefined =
      cliModel.localSequences === undefined ? undefined : createLimiterRegistry({ concurrency: flags.maxInFlight ?? cliModel.localSequences });

    const printRedisError = printRedisErrors(flags.redis);
    const onEvent = (event: WorkerEvent): void => {
      if (event.type === 'error') {
        const reply = authReplyOf(event.error);
        if (reply !== undefined) {
          // the password changed under a running worker: no retry can fix it, and its jobs go back once their locks lapse
          reportError(new RedisAuthError(describeRedisUrl(flags.redis), reply, { cause: event.error }));
          process.exit(EXIT.failed);
        }
        printRedisError(event.error); // an outage repeats the same error on every retry: said once
        return;
      }
      if (event.type === 'failed') {
        const retry = event.attemptsMade < event.attempts ? 'will retry' : 'failed for good';
        // a job's error may quote model text or a provider's answer: no escape sequence of it reaches the terminal
        process.stderr.write(`braid: job ${event.jobId} failed (attempt ${event.attemptsMade} of ${event.attempts}, ${retry}): ${toTerminalText(event.error).replace(/\n/g, ' ')}\n`);
      } else if (event.type === 'handed-back') {
        process.stderr.write(`braid: handed job ${event.jobId} back to the queue\n`);
      } else if (event.type === 'waiting') {
        for (const wait of event.waits) {
          const what = wait.kind === 'sleep' ? `sleeps until ${wait.deadline ?? '?'}` : `waits for "${wait.name}": braid signal ${wait.runId} ${wait.name} '<json>' --redis`;
          process.stderr.write(`braid: job ${event.jobId} parked, ${what}\n`);
        }
      } else if (flags.verbose) {
        process.stderr.write(`braid: job ${event.jobId} done\n`);
      }
    };

    const worker = startWorker({
      connection: flags.redis,
      model,
      concurrency: flags.concurrency,
      limits: { rpm: flags.rpm, tpm: flags.tpm, concurrency: flags.maxInFlight, windowMs: flags.rateWindowMs },
      limiters,
      timeoutMs: flags.timeout ?? cliModel.defaultTimeoutMs,
      modelSpec,
      // the part size is this worker's setting: it follows its model's context
      workflows: builtInWorkflows({ maxPartCharacters: cliModel.promptBudgetCharacters }),
      lockDurationMs: flags.stallTimeout,
      // look for dead workers' jobs as often as a lock can lapse, so a takeover waits about one stall timeout
      stalledIntervalMs: Math.max(500, Math.floor(flags.stallTimeout / 2)),
      name: flags.name,
      env,
      onEvent,
    });
    const stopped = waitForShutdown(worker);
    try {
      await worker.ready();
    } catch (error) {
      await worker.close();
      throw error;
    }
    const budget = [flags.rpm ? `${flags.rpm} rpm` : '', flags.tpm ? `${flags.tpm} tpm` : '', flags.maxInFlight ? `${flags.maxInFlight} in flight` : '']
      .filter(Boolean)
      .join(', ');
    process.stderr.write(
      `braid: worker ${worker.name} ready on ${describeRedisUrl(flags.redis)} (${modelSpec}, ${flags.concurrency} jobs at once${budget ? `, ${budget} across all workers` : ''})\n`,
    );
    return await stopped;
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  } finally {
    await cliModel?.dispose();
  }
}

/** Resolves with the exit code once a signal has stopped the worker: the first finishes the jobs in flight, the second hands them back. */
function waitForShutdown(worker: { close(): Promise<void>; handBack(): Promise<void> }): Promise<number> {
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals === 1) {
        process.stderr.write(`\nbraid: ${signal}: finishing the jobs in flight, taking no new ones (Ctrl-C again to hand them back now)\n`);
        void worker.close().then(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(signals > 1 ? EXIT.cancelled : EXIT.ok);
        });
      } else if (signals === 2) {
        process.stderr.write('braid: handing the jobs in flight back to the queue\n');
        void worker.handBack(); // the first signal's close() resolves once they are back
        // handing back needs Redis; without it, the jobs come back anyway once their locks lapse
        setTimeout(() => {
          process.stderr.write('braid: Redis did not answer; exiting: the jobs in flight are retried once their locks lapse\n');
          process.exit(EXIT.cancelled);
        }, HAND_BACK_TIMEOUT_MS).unref();
      } else {
        process.exit(EXIT.cancelled);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
