import type { Span } from '../core/span.js';
import { listBatches, readBatch, type BatchRecord } from '../distributed/list-batches.js';
import type { RunRow } from '../store/runs-table.js';
import { printRedisErrors } from './print-redis-errors.js';
import { redisUrlOf } from './redis-url-flag.js';

/** A distributed batch as a row of `braid runs`: the local run's columns, plus its items. */
export interface DistributedRunRow extends RunRow {
  /** `<workflow> (redis)`: the batch ran on workers. */
  workflow: string;
  /** Steps of the items that succeeded. */
  stepsDone: number;
  /** An item's waits are its own run's (`braid worker` says how to answer them): none at the batch's level. */
  waits: RunRow['waits'];
  batch: { kind: string; total: number; completed: number; failed: number; pending: number };
}

/**
 * The newest batches in the Redis of `--redis` (or BRAID_REDIS_URL), as rows of `braid runs`; an
 * error (Redis away, a wrong password) comes back, so the local runs are listed anyway.
 */
export async function listDistributedRuns(redisFlag: string | true, { limit }: { limit: number }): Promise<{ rows: DistributedRunRow[]; error?: unknown }> {
  try {
    const redis = redisUrlOf(redisFlag);
    const batches = await listBatches({ connection: redis, limit, onRedisError: printRedisErrors(redis) });
    return { rows: batches.map(rowOf) };
  } catch (error) {
    return { rows: [], error };
  }
}

/** `braid view <batch-id>`: the batch's timeline, or undefined if Redis holds no such batch. */
export async function loadBatchSpans(redisFlag: string | true, batchId: string): Promise<Span[] | undefined> {
  const redis = redisUrlOf(redisFlag);
  return (await readBatch(batchId, { connection: redis, onRedisError: printRedisErrors(redis) }))?.spans;
}

/**
 * `braid resume <batch-id>`: the argv that collects the batch again (`--run-id` and the resolved
 * Redis URL added), `null` if the batch was not started by the CLI, undefined if Redis does not hold it.
 */
export async function batchResumeCommand(redisFlag: string | true, batchId: string): Promise<string[] | null | undefined> {
  const redis = redisUrlOf(redisFlag);
  const batch = await readBatch(batchId, { connection: redis, onRedisError: printRedisErrors(redis) });
  if (!batch) return undefined;
  if (batch.record.command === undefined) return null;
  return [...batch.record.command, '--run-id', batchId, '--redis', redis];
}

function rowOf(batch: BatchRecord): DistributedRunRow {
  const done = batch.state !== 'running';
  return {
    id: batch.batchId,
    workflow: `${batch.kind} (redis)`,
    status: !done ? 'running' : batch.failed.length > 0 || batch.state === 'failed' ? 'failed' : 'done',
    startedAt: new Date(batch.createdAt).toISOString(),
    ...(batch.finishedAt === undefined ? {} : { finishedAt: new Date(batch.finishedAt).toISOString() }),
    stepsDone: batch.steps,
    ...(done ? { stepsTotal: batch.steps } : {}),
    inputTokens: batch.inputTokens,
    outputTokens: batch.outputTokens,
    costUsd: batch.costUsd,
    model: batch.model ?? "the workers'",
    command: batch.command ?? [],
    waits: [],
    batch: { kind: batch.kind, total: batch.total, completed: batch.completed, failed: batch.failed.length, pending: batch.pending },
  };
}
