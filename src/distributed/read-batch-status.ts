import { Job, Queue } from 'bullmq';
import { BATCHES_QUEUE, DEFAULT_QUEUE_PREFIX, indexOfItemJob, itemJobId, ITEMS_QUEUE } from './batch-keys.js';
import { BatchNotFoundError } from './distributed-errors.js';
import { BatchJobData } from './job-payloads.js';
import { redisOptionsFromUrl } from './redis-connection-options.js';

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

/**
 * Where a batch stands, from Redis: counts, and every item that failed for good with its error.
 *
 * @example
 * const status = await readBatchStatus({ connection: 'redis://127.0.0.1:6379', batchId });
 * for (const item of status.failed) console.log(item.index, item.error);
 */
export async function readBatchStatus({
  connection,
  batchId,
  prefix = DEFAULT_QUEUE_PREFIX,
}: {
  connection: string;
  batchId: string;
  /** @default 'braid' */
  prefix?: string;
}): Promise<BatchStatus> {
  const redisOptions = redisOptionsFromUrl(connection);
  const batches = new Queue(BATCHES_QUEUE, { connection: redisOptions, prefix });
  const itemQueue = new Queue(ITEMS_QUEUE, { connection: redisOptions, prefix });
  try {
    const parent = await Job.fromId(batches, batchId);
    if (!parent) throw new BatchNotFoundError(batchId);
    const data = BatchJobData.parse(parent.data);
    const [state, counts, failures] = await Promise.all([
      parent.getState(),
      parent.getDependenciesCount({ processed: true, unprocessed: true }),
      parent.getIgnoredChildrenFailures(),
    ]);
    const keyPrefix = `${prefix}:${ITEMS_QUEUE}:`;
    const failed = await Promise.all(
      Object.entries(failures).map(async ([key, error]): Promise<FailedItem> => {
        const jobId = key.slice(keyPrefix.length);
        const index = indexOfItemJob(batchId, jobId) ?? -1;
        const job = await Job.fromId(itemQueue, itemJobId(batchId, index));
        return { index, jobId, error, attempts: job?.attemptsMade ?? 0 };
      }),
    );
    failed.sort((left, right) => left.index - right.index);
    return {
      batchId,
      kind: data.kind,
      state: state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'running',
      total: data.total,
      completed: counts.processed ?? 0,
      pending: counts.unprocessed ?? 0,
      failed,
    };
  } finally {
    await Promise.allSettled([batches.close(), itemQueue.close()]);
  }
}
