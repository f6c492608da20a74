import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowProducer, Job, Queue } from 'bullmq';
import { RunCancelledError } from '../core/errors.js';
import { BATCHES_QUEUE, checkBatchId, DEFAULT_QUEUE_PREFIX, indexOfItemJob, itemJobId, ITEMS_QUEUE } from './batch-keys.js';
import { BatchNotFoundError, InvalidJobResultError } from './distributed-errors.js';
import { BatchJobData, ItemJobData, ItemJobResult } from './job-payloads.js';
import { redisOptionsFromUrl } from './redis-connection-options.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RunDistributedOptions {
  /** The Redis the workers serve: `redis://host:port`. */
  connection: string;
  /** The name of the workflow each item runs, as the workers' registry knows it: `faq`, `route`, or one of yours. */
  kind: string;
  /**
   * Each item's input, as the workflow's input schema takes it. Checked by the workers; check it
   * here first (as `createRedisRunner` does) to fail a bad batch before it is enqueued.
   */
  items: readonly unknown[];
  /** Names the batch: job ids, journal keys. The same id enqueues nothing new and collects the same batch. @default a random id */
  batchId?: string;
  /** Tries per item before it fails for good. @default 3 */
  attempts?: number;
  /** The first retry's delay; each further one doubles it. @default 1_000 */
  backoffMs?: number;
  /** Finished jobs (and their results) stay in Redis this long, for `--status` and re-collection. @default 7 days */
  keepJobsForMs?: number;
  /** How often progress is read. @default 500 */
  pollIntervalMs?: number;
  /** BullMQ's key prefix; producer and workers must agree. @default 'braid' */
  prefix?: string;
  /** Stops waiting (the items keep running on the workers). */
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
}

export interface BatchProgress {
  batchId: string;
  total: number;
  /** Items done, successfully. */
  completed: number;
  /** Items failed for good, after their retries. */
  failed: number;
  /** Workers connected to the items queue. */
  workers: number;
}

/** One item's outcome, in input order: its result, or why it failed after its attempts. */
export type ItemOutcome<Result> = { ok: true; value: Result } | { ok: false; error: string; attempts: number };

export interface DistributedRun<Result> {
  batchId: string;
  results: ItemOutcome<Result>[];
  wallMs: number;
}

/**
 * Runs a batch on the workers: enqueues it as one BullMQ flow (a parent job with one child per
 * item, so the parent completes only when every item has), reports progress while workers
 * anywhere run it, and returns each item's outcome in input order. An item that keeps failing
 * ends as `{ ok: false }` after its attempts and never holds up the others.
 *
 * @example
 * const { results } = await runDistributed({
 *   connection: 'redis://10.0.0.5:6379',
 *   kind: 'route',
 *   items: queries.map((query) => ({ query, config })),
 *   onProgress: ({ completed, total }) => console.error(`${completed}/${total}`),
 * });
 */
export async function runDistributed({
  connection,
  kind,
  items,
  batchId = randomUUID(),
  attempts = 3,
  backoffMs = 1_000,
  keepJobsForMs = 7 * DAY_MS,
  pollIntervalMs = 500,
  prefix = DEFAULT_QUEUE_PREFIX,
  signal,
  onProgress = () => {},
}: RunDistributedOptions): Promise<DistributedRun<ItemJobResult>> {
  checkBatchId(batchId);
  signal?.throwIfAborted();
  const started = Date.now();
  const children = items.map((input, index) => ItemJobData.parse({ kind, batchId, index, input }));
  if (children.length === 0) return { batchId, results: [], wallMs: 0 };

  const redisOptions = redisOptionsFromUrl(connection);
  const flows = new FlowProducer({ connection: redisOptions, prefix });
  const batches = new Queue(BATCHES_QUEUE, { connection: redisOptions, prefix });
  const itemQueue = new Queue(ITEMS_QUEUE, { connection: redisOptions, prefix });
  try {
    const keep = { age: Math.ceil(keepJobsForMs / 1000) };
    await flows.add({
      name: 'batch',
      queueName: BATCHES_QUEUE,
      data: BatchJobData.parse({ kind, total: children.length }),
      opts: { jobId: batchId, removeOnComplete: keep, removeOnFail: keep },
      children: children.map((data) => ({
        name: kind,
        queueName: ITEMS_QUEUE,
        data,
        opts: {
          jobId: itemJobId(batchId, data.index),
          attempts,
          backoff: { type: 'exponential', delay: backoffMs },
          // a failed item is recorded on the parent, which still completes when the others are done
          ignoreDependencyOnFailure: true,
          removeOnComplete: keep,
          removeOnFail: keep,
        },
      })),
    });

    const parent = await waitForBatch(batches, itemQueue, batchId, children.length, { pollIntervalMs, signal, onProgress });
    const results = await collectResults(parent, itemQueue, { batchId, kind, total: children.length, prefix, attempts });
    return { batchId, results, wallMs: Date.now() - started };
  } finally {
    await Promise.allSettled([flows.close(), batches.close(), itemQueue.close()]);
  }
}

async function waitForBatch(
  batches: Queue,
  itemQueue: Queue,
  batchId: string,
  total: number,
  { pollIntervalMs, signal, onProgress }: { pollIntervalMs: number; signal?: AbortSignal; onProgress: (progress: BatchProgress) => void },
): Promise<Job> {
  for (;;) {
    const parent = await Job.fromId(batches, batchId);
    if (!parent) throw new BatchNotFoundError(batchId);
    const [state, counts, workers] = await Promise.all([
      parent.getState(),
      parent.getDependenciesCount({ processed: true, unprocessed: true, ignored: true, failed: true }),
      itemQueue.getWorkersCount(),
    ]);
    onProgress({ batchId, total, completed: counts.processed ?? 0, failed: (counts.ignored ?? 0) + (counts.failed ?? 0), workers });
    // the parent leaves waiting-children once every child is done or failed for good; the results are
    // final from then on, whether or not a worker has yet processed (completed) the parent itself
    if (state === 'completed' || state === 'failed' || (state !== 'waiting-children' && counts.unprocessed === 0)) return parent;
    try {
      await sleep(pollIntervalMs, undefined, { signal });
    } catch {
      throw new RunCancelledError(`stopped waiting for batch ${batchId}: its items keep running on the workers`, { cause: signal?.reason });
    }
  }
}

async function collectResults(
  parent: Job,
  itemQueue: Queue,
  { batchId, kind, total, prefix, attempts }: { batchId: string; kind: string; total: number; prefix: string; attempts: number },
): Promise<ItemOutcome<ItemJobResult>[]> {
  const results: (ItemOutcome<ItemJobResult> | undefined)[] = Array.from({ length: total });
  const keyPrefix = `${prefix}:${ITEMS_QUEUE}:`;
  const indexOfKey = (key: string): number | undefined => (key.startsWith(keyPrefix) ? indexOfItemJob(batchId, key.slice(keyPrefix.length)) : undefined);

  for (const [key, value] of Object.entries(await parent.getChildrenValues())) {
    const index = indexOfKey(key);
    if (index === undefined || index >= total) continue;
    const parsed = ItemJobResult.safeParse(value);
    results[index] =
      parsed.success && parsed.data.kind === kind
        ? { ok: true, value: parsed.data }
        : { ok: false, error: new InvalidJobResultError(key.slice(keyPrefix.length), { cause: parsed.error }).message, attempts: 1 };
  }
  await Promise.all(
    Object.entries(await parent.getIgnoredChildrenFailures()).map(async ([key, reason]) => {
      const index = indexOfKey(key);
      if (index === undefined || index >= total) return;
      const job = await Job.fromId(itemQueue, itemJobId(batchId, index));
      results[index] = { ok: false, error: reason, attempts: job?.attemptsMade ?? attempts };
    }),
  );
  return results.map((result) => result ?? { ok: false, error: 'the item was neither completed nor failed: it was removed from Redis', attempts: 0 });
}
