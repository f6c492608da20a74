import { Job, type Queue } from 'bullmq';
import { DEFAULT_QUEUE_PREFIX, indexOfItemJob, itemJobId } from './batch-keys.js';
import { openBatchQueues } from './batch-queues.js';
import { BatchNotFoundError } from './distributed-errors.js';
import { BatchJobData } from './job-payloads.js';

export interface FailedItem {
  index: number;
  jobId: string;
  error: string;
  attempts: number;
}

export interface BatchStatus {
  batchId: string;
  kind: BatchJobData['kind'];
  /** `completed` once every item is done or failed for good. */
  state: 'running' | 'completed' | 'failed';
  total: number;
  completed: number;
  /** Items still waiting, running, or waiting for a retry. */
  pending: number;
  /** Items that failed after all their attempts, in input order. */
  failed: FailedItem[];
}

export interface ReadBatchStatusOptions {
  /** The Redis the batch was enqueued on: `redis://user:password@host:port`, or `rediss://`. */
  connection: string;
  batchId: string;
  /** @default 'braid' */
  prefix?: string;
  /** Gives up with `RedisUnreachableError` if Redis has not answered this long after start. @default 10_000 */
  connectTimeoutMs?: number;
  /** Redis errors once connected, with the password masked. @default ignored */
  onRedisError?: (error: Error) => void;
}

/**
 * Where a batch stands, from Redis: counts, and every item that failed for good with its error.
 * Throws `BatchNotFoundError` for an id Redis does not hold.
 *
 * @example
 * const status = await readBatchStatus({ connection: process.env.BRAID_REDIS_URL!, batchId });
 * for (const item of status.failed) console.log(item.index, item.error);
 */
export async function readBatchStatus({
  connection,
  batchId,
  prefix = DEFAULT_QUEUE_PREFIX,
  connectTimeoutMs,
  onRedisError,
}: ReadBatchStatusOptions): Promise<BatchStatus> {
  const queues = await openBatchQueues({ connection, prefix, connectTimeoutMs, onError: onRedisError });
  try {
    const parent = await Job.fromId(queues.batches, batchId);
    if (!parent) throw new BatchNotFoundError(batchId);
    return await statusOf(parent, queues.items);
  } finally {
    await queues.close();
  }
}

/** A batch parent's status; its data comes from Redis, so it is parsed first. */
export async function statusOf(parent: Job, itemQueue: Queue): Promise<BatchStatus> {
  const batchId = String(parent.id);
  const data = BatchJobData.parse(parent.data);
  const [state, counts, failures] = await Promise.all([
    parent.getState(),
    parent.getDependenciesCount({ processed: true, unprocessed: true }),
    parent.getIgnoredChildrenFailures(),
  ]);
  const failed = await Promise.all(
    Object.entries(failures).map(async ([key, error]): Promise<FailedItem> => {
      const jobId = key.slice(key.lastIndexOf(':') + 1);
      const index = indexOfItemJob(batchId, jobId) ?? -1;
      const job = await Job.fromId(itemQueue, itemJobId(batchId, index));
      return { index, jobId, error, attempts: job?.attemptsMade ?? 0 };
    }),
  );
  failed.sort((left, right) => left.index - right.index);
  // every item is done once the parent has left waiting-children, even before a worker completes the parent itself
  const done = state === 'completed' || (state !== 'failed' && state !== 'waiting-children' && (counts.unprocessed ?? 0) === 0);
  return {
    batchId,
    kind: data.kind,
    state: done ? 'completed' : state === 'failed' ? 'failed' : 'running',
    total: data.total,
    completed: counts.processed ?? 0,
    pending: counts.unprocessed ?? 0,
    failed,
  };
}
