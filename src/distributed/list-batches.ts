import { Job, type JobType } from 'bullmq';
import { DEFAULT_QUEUE_PREFIX } from './batch-keys.js';
import { readBatchSpans } from './batch-spans.js';
import { openBatchQueues, type BatchQueues } from './batch-queues.js';
import { BatchJobData, ItemJobResult } from './job-payloads.js';
import { statusOf, type BatchStatus } from './read-batch-status.js';
import type { Span } from '../core/span.js';

/** A batch as `braid runs` lists it: its status, when it started, and what its finished items did together. */
export interface BatchRecord extends BatchStatus {
  /** Epoch milliseconds the batch was enqueued. */
  createdAt: number;
  /** When its last item finished, once it has. */
  finishedAt?: number;
  /** The model spec the producer asked for, if it did. */
  model?: string;
  /** The producer's command line (without the Redis URL). */
  command?: string[];
  /** Summed over the items that succeeded (a failed item reports no summary). */
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

interface RedisReadOptions {
  connection: string;
  /** @default 'braid' */
  prefix?: string;
  connectTimeoutMs?: number;
  onRedisError?: (error: Error) => void;
}

const PARENT_STATES: JobType[] = ['waiting-children', 'waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'];

/** The newest batches in this Redis, newest first. */
export async function listBatches({ limit = 20, ...options }: RedisReadOptions & { limit?: number }): Promise<BatchRecord[]> {
  return withQueues(options, async (queues) => {
    // newest `limit` of each state, then the newest `limit` of those
    const parents = (await Promise.all(PARENT_STATES.map((state) => queues.batches.getJobs([state], 0, limit - 1, false)))).flat();
    const newest = [...new Map(parents.map((job) => [job.id, job])).values()].sort((left, right) => right.timestamp - left.timestamp).slice(0, limit);
    const records = await Promise.all(newest.map((parent) => recordOf(parent, queues)));
    return records.flatMap((record) => (record === undefined ? [] : [record]));
  });
}

/** One batch with its timeline (every recorded item attempt), or undefined if Redis does not hold it. */
export async function readBatch(batchId: string, options: RedisReadOptions): Promise<{ record: BatchRecord; spans: Span[] } | undefined> {
  return withQueues(options, async (queues) => {
    const parent = await Job.fromId(queues.batches, batchId);
    const record = parent ? await recordOf(parent, queues) : undefined;
    if (!record) return undefined;
    return { record, spans: await readBatchSpans(queues.redis, { prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX, batchId, kind: record.kind }) };
  });
}

async function withQueues<Value>({ connection, prefix = DEFAULT_QUEUE_PREFIX, connectTimeoutMs, onRedisError }: RedisReadOptions, read: (queues: BatchQueues) => Promise<Value>): Promise<Value> {
  const queues = await openBatchQueues({ connection, prefix, connectTimeoutMs, onError: onRedisError });
  try {
    return await read(queues);
  } finally {
    await queues.close();
  }
}

/** A parent's record; a parent whose data is not a braid batch's (anyone may write to Redis) is skipped. */
async function recordOf(parent: Job, queues: BatchQueues): Promise<BatchRecord | undefined> {
  const data = BatchJobData.safeParse(parent.data);
  if (!data.success) return undefined;
  const [status, values] = await Promise.all([statusOf(parent, queues.items), parent.getChildrenValues()]);
  const record: BatchRecord = {
    ...status,
    createdAt: parent.timestamp,
    ...(status.state === 'running' || parent.finishedOn === undefined ? {} : { finishedAt: parent.finishedOn }),
    ...(data.data.model === undefined ? {} : { model: data.data.model }),
    ...(data.data.command === undefined ? {} : { command: data.data.command }),
    steps: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
  for (const value of Object.values(values)) {
    const result = ItemJobResult.safeParse(value);
    if (!result.success) continue;
    record.steps += result.data.summary.steps;
    record.inputTokens += result.data.summary.inputTokens;
    record.outputTokens += result.data.summary.outputTokens;
    record.costUsd += result.data.summary.costUsd;
  }
  return record;
}
