import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, type Queue } from 'bullmq';
import { InputError, RunCancelledError } from '../core/errors.js';
import { BATCHES_QUEUE, checkBatchId, DEFAULT_QUEUE_PREFIX, indexOfItemJob, itemJobId, ITEMS_QUEUE } from './batch-keys.js';
import { openBatchQueues } from './batch-queues.js';
import { BatchNotFoundError, InvalidJobResultError, WorkerModelMismatchError } from './distributed-errors.js';
import { BatchJobData, ItemJobData, ItemJobResult } from './job-payloads.js';
import { listWorkers } from './worker-registry.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RunDistributedOptions {
  /** The Redis the workers serve: `redis://user:password@host:port`, or `rediss://` for TLS. */
  connection: string;
  /** The name of the workflow each item runs, as the workers' registry knows it: `faq`, `route`, or one of yours. */
  kind: string;
  /**
   * Each item's input, as the workflow's input schema takes it. Checked by the workers; check it
   * here first (as `createRedisRunner` does) to fail a bad batch before it is enqueued.
   */
  items: readonly unknown[];
  /**
   * Names the batch: job ids, journal keys. The same id with the same items enqueues nothing new and
   * collects the same batch (enqueueing again only its items that failed for good, once it is done);
   * with other items it is refused. @default a random id
   */
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
  /** Gives up with `RedisUnreachableError` if Redis has not answered this long after start. @default 10_000 */
  connectTimeoutMs?: number;
  /**
   * The model spec the items must run on. Refused at once (`WorkerModelMismatchError`) if a live
   * worker serves another; a worker that serves another refuses the items. @default any: the workers' model
   */
  model?: string;
  /** The command line that started the batch, stored with it for `braid resume`. */
  command?: readonly string[];
  /** Stops waiting (the items keep running on the workers). */
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Redis errors once connected (an outage: the run waits for Redis), with the password masked. @default ignored */
  onRedisError?: (error: Error) => void;
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
  /** Items of an earlier run of this batch id that had failed for good and were enqueued again. */
  requeued: number;
}

/**
 * Runs a batch on the workers: enqueues it as one BullMQ flow (a parent job with one child per
 * item, so the parent completes only when every item has), reports progress while workers
 * anywhere run it, and returns each item's outcome in input order. An item that keeps failing
 * ends as `{ ok: false }` after its attempts and never holds up the others. Internal: the public
 * API is `createRedisRunner`.
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
  connectTimeoutMs,
  model,
  command,
  signal,
  onProgress = () => {},
  onRedisError,
}: RunDistributedOptions): Promise<DistributedRun<ItemJobResult>> {
  checkBatchId(batchId);
  signal?.throwIfAborted();
  const started = Date.now();
  const children = items.map((input, index) => ItemJobData.parse({ kind, batchId, index, input, ...(model === undefined ? {} : { model }) }));
  if (children.length === 0) return { batchId, results: [], wallMs: 0, requeued: 0 };

  const queues = await openBatchQueues({ connection, prefix, connectTimeoutMs, signal, onError: onRedisError });
  try {
    if (model !== undefined) {
      const others = (await listWorkers(queues.redis, prefix)).filter((worker) => worker.model !== model);
      if (others.length > 0) throw new WorkerModelMismatchError(model, others);
    }
    const data = BatchJobData.parse({ kind, total: children.length, inputHash: hashOf(children), model, command: command === undefined ? undefined : [...command] });
    const keep = { age: Math.ceil(keepJobsForMs / 1000) };
    const enqueue = (batchData: BatchJobData) =>
      queues.flows.add({
        name: 'batch',
        queueName: BATCHES_QUEUE,
        data: batchData,
        opts: { jobId: batchId, removeOnComplete: keep, removeOnFail: keep },
        children: children.map((child) => ({
          name: kind,
          queueName: ITEMS_QUEUE,
          data: child,
          opts: {
            jobId: itemJobId(batchId, child.index),
            attempts,
            backoff: { type: 'exponential', delay: backoffMs },
            // a failed item is recorded on the parent, which still completes when the others are done
            ignoreDependencyOnFailure: true,
            removeOnComplete: keep,
            removeOnFail: keep,
          },
        })),
      });

    const requeued = await enqueueOrResume(queues.batches, queues.items, { batchId, data, enqueue });
    const parent = await waitForBatch(queues.batches, queues.items, batchId, children.length, { pollIntervalMs, signal, onProgress });
    const results = await collectResults(parent, queues.items, { batchId, kind, total: children.length, prefix, attempts });
    return { batchId, results, wallMs: Date.now() - started, requeued };
  } finally {
    await queues.close();
  }
}

/** What the items are, whatever the batch id: two runs under one id must be the same batch (the model is checked on its own). */
function hashOf(children: readonly ItemJobData[]): string {
  const hash = createHash('sha256');
  for (const child of children) hash.update(JSON.stringify([child.kind, child.index, child.input])).update('\n');
  return hash.digest('hex');
}

/**
 * A new batch id is enqueued. An existing one must be the same batch (workflow, size, items); it is
 * only collected while it runs, and once done its items that failed for good are enqueued again
 * (their journaled steps replay): the parent goes, its completed children stay and are attached to
 * the new parent with their results. Returns how many items were enqueued again.
 */
async function enqueueOrResume(
  batches: Queue,
  itemQueue: Queue,
  { batchId, data, enqueue }: { batchId: string; data: BatchJobData; enqueue: (data: BatchJobData) => Promise<unknown> },
): Promise<number> {
  const existing = await Job.fromId(batches, batchId);
  if (!existing) {
    await enqueue(data);
    return 0;
  }
  const stored = BatchJobData.safeParse(existing.data);
  if (!stored.success) throw new InputError(`the id ${batchId} names something in this Redis that is not a braid batch: give another --run-id`);
  const { kind, total, inputHash } = stored.data;
  if (kind !== data.kind || total !== data.total || (inputHash !== undefined && inputHash !== data.inputHash)) {
    throw new InputError(`batch ${batchId} in this Redis is ${kind} over ${total} other items: give another --run-id (a batch id names one batch, it is not a cache)`);
  }
  const state = await existing.getState();
  if (state !== 'completed' && state !== 'failed') return 0;
  const failures = Object.keys(await existing.getIgnoredChildrenFailures());
  if (failures.length === 0) return 0;
  await Promise.all(
    failures.map(async (key) => {
      // the key is `<prefix>:items:<job id>`, and job ids hold no ':'
      await (await Job.fromId(itemQueue, key.slice(key.lastIndexOf(':') + 1)))?.remove();
    }),
  );
  await existing.remove({ removeChildren: false });
  // the first run's command stays: `braid resume` reruns what was typed, not the resume itself
  await enqueue({ ...data, command: stored.data.command ?? data.command });
  return failures.length;
}

async function waitForBatch(
  batches: Queue,
  itemQueue: Queue,
  batchId: string,
  total: number,
  { pollIntervalMs, signal, onProgress }: { pollIntervalMs: number; signal?: AbortSignal; onProgress: (progress: BatchProgress) => void },
): Promise<Job> {
  const stopped = (): RunCancelledError => new RunCancelledError(`stopped waiting for batch ${batchId}: its items keep running on the workers`, { cause: signal?.reason });
  for (;;) {
    // raced with the signal: while Redis is away a read waits for it, and Ctrl-C must not
    const read = async () => {
      const parent = await Job.fromId(batches, batchId);
      if (!parent) throw new BatchNotFoundError(batchId);
      const [state, counts, workers] = await Promise.all([
        parent.getState(),
        parent.getDependenciesCount({ processed: true, unprocessed: true, ignored: true, failed: true }),
        itemQueue.getWorkersCount(),
      ]);
      return { parent, state, counts, workers };
    };
    const { parent, state, counts, workers } = await untilAborted(read(), signal, stopped);
    onProgress({ batchId, total, completed: counts.processed ?? 0, failed: (counts.ignored ?? 0) + (counts.failed ?? 0), workers });
    // the parent leaves waiting-children once every child is done or failed for good; the results are
    // final from then on, whether or not a worker has yet processed (completed) the parent itself
    if (state === 'completed' || state === 'failed' || (state !== 'waiting-children' && counts.unprocessed === 0)) return parent;
    try {
      await sleep(pollIntervalMs, undefined, { signal });
    } catch {
      throw stopped();
    }
  }
}

/** `promise`, or `stopped()` as soon as the signal aborts. */
async function untilAborted<Value>(promise: Promise<Value>, signal: AbortSignal | undefined, stopped: () => Error): Promise<Value> {
  if (!signal) return promise;
  if (signal.aborted) throw stopped();
  promise.catch(() => {}); // abandoned on abort: its failure is nobody's concern
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
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

  await Promise.all(
    Object.entries(await parent.getIgnoredChildrenFailures()).map(async ([key, reason]) => {
      const index = indexOfKey(key);
      if (index === undefined || index >= total) return;
      const job = await Job.fromId(itemQueue, itemJobId(batchId, index));
      results[index] = { ok: false, error: reason, attempts: job?.attemptsMade ?? attempts };
    }),
  );
  // after the failures: an item that failed once and was then enqueued again and done counts as done
  for (const [key, value] of Object.entries(await parent.getChildrenValues())) {
    const index = indexOfKey(key);
    if (index === undefined || index >= total) continue;
    // a result is read back from Redis: it is parsed before anything uses it
    const parsed = ItemJobResult.safeParse(value);
    results[index] =
      parsed.success && parsed.data.kind === kind
        ? { ok: true, value: parsed.data }
        : { ok: false, error: new InvalidJobResultError(key.slice(keyPrefix.length), { cause: parsed.error }).message, attempts: 1 };
  }
  return results.map((result) => result ?? { ok: false, error: 'the item was neither completed nor failed: it was removed from Redis', attempts: 0 });
}

