import { Job } from 'bullmq';
import { InputError } from '../core/errors.js';
import type { SignalOutcome } from '../core/wait-journal.js';
import { DEFAULT_QUEUE_PREFIX, itemJobId } from './batch-keys.js';
import { openBatchQueues } from './batch-queues.js';
import { createRedisWaitJournal } from './redis-wait-journal.js';

export interface SignalDistributedRunOptions {
  /** The Redis the workers serve: `redis://user:password@host:port`, or `rediss://` for TLS. */
  connection: string;
  /** The wait's position, when several waits of the name are pending (see `signal`). */
  key?: string;
  /** BullMQ's key prefix; producer and workers must agree. @default 'braid' */
  prefix?: string;
  /** Gives up with `RedisUnreachableError` if Redis has not answered this long after start. @default 10_000 */
  connectTimeoutMs?: number;
  /** Redis errors once connected, with the password masked. @default ignored */
  onRedisError?: (error: Error) => void;
}

/** Where the signal went, and whether the item went back on the queue to go on. */
export interface DistributedSignalResult extends SignalOutcome {
  /** The parked item was put back on the queue: a worker takes it up and goes on from its waits. */
  resumed: boolean;
}

/**
 * `signal` for an item of a distributed batch (its run id is `<batch id>/<index>`): checks the
 * answer against the wait's schema, stores it in Redis for that run and position, and puts the
 * item's parked job back on the queue, where any worker resumes it from its journal.
 *
 * @throws {InvalidSignalError} when the value does not fit the wait's schema; nothing changes.
 * @throws {InputError} when the run is no item of a batch in this Redis, its item has ended, or as `signal` does.
 * @example
 * const result = await signalDistributedRun(runId, 'approval', { approved: true }, { connection: 'redis://10.0.0.5:6379' });
 */
export async function signalDistributedRun(
  runId: string,
  name: string,
  value: unknown,
  { connection, key, prefix = DEFAULT_QUEUE_PREFIX, connectTimeoutMs, onRedisError }: SignalDistributedRunOptions,
): Promise<DistributedSignalResult> {
  const separator = runId.lastIndexOf('/');
  const index = Number(runId.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(index) || index < 0) throw new InputError(`${runId} is not the run of a distributed item (<batch id>/<index>)`);
  const jobId = itemJobId(runId.slice(0, separator), index);
  // bounded, with every error handled and the password masked, as every other connection braid opens
  const queues = await openBatchQueues({ connection, prefix, connectTimeoutMs, onError: onRedisError });
  const { items: queue, redis } = queues;
  try {
    // a run id that names no live item must not leave an answer behind for nothing
    const job = await Job.fromId(queue, jobId);
    if (!job) throw new InputError(`no item ${runId} in this Redis (job ${jobId}): check --redis and the run id`);
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') throw new InputError(`item ${runId} has ended (${state}); it waits for nothing`);
    const outcome = await createRedisWaitJournal({ connection: redis }).deliver(runId, { name, value, ...(key === undefined ? {} : { key }) });
    if (outcome.delivered !== 'answered') return { ...outcome, resumed: false };
    try {
      await job.promote();
      return { ...outcome, resumed: true };
    } catch {
      // not parked (yet): the worker running it looks at its waits when it parks it
      return { ...outcome, resumed: false };
    }
  } finally {
    await queues.close();
  }
}
