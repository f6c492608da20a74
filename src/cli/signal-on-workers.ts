import { signalDistributedRun } from '../distributed/signal-distributed-run.js';
import { EXIT } from './exit-codes.js';
import { printRedisErrors } from './print-redis-errors.js';
import { redisUrlOf } from './redis-url-flag.js';
import { reportError } from './report-error.js';

/** `braid signal --redis`: answers a distributed item's wait and puts its job back on the queue. Loaded only for `--redis`. */
export async function signalOnWorkers(runId: string, name: string, value: unknown, flags: { redis: string | true; key?: string; verbose?: boolean }): Promise<number> {
  try {
    const redis = redisUrlOf(flags.redis);
    const result = await signalDistributedRun(runId, name, value, {
      connection: redis,
      onRedisError: printRedisErrors(redis),
      ...(flags.key === undefined ? {} : { key: flags.key }),
    });
    const what =
      result.delivered === 'kept'
        ? `item ${runId} does not wait for "${name}" yet; the answer is kept until it reaches that wait`
        : `answered "${name}" of item ${runId} (${result.key ?? ''}); ${result.resumed ? 'it is back on the queue' : 'a worker goes on with it once it parks it'}`;
    process.stderr.write(`braid: ${what}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
}
