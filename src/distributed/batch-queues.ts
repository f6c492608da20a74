import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { BATCHES_QUEUE, ITEMS_QUEUE } from './batch-keys.js';
import { connectToRedis, maskedError } from './connect-to-redis.js';

/** The producer's side of Redis: one connection, shared by the queues it reads and the flows it adds. */
export interface BatchQueues {
  redis: Redis;
  batches: Queue;
  items: Queue;
  flows: FlowProducer;
  close(): Promise<void>;
}

export interface OpenBatchQueuesOptions {
  connection: string;
  prefix: string;
  /** See `connectToRedis`. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  /** Redis errors once connected (an outage), with the password masked. @default ignored */
  onError?: (error: Error) => void;
}

/**
 * Connects (failing fast on bad credentials, giving up after `connectTimeoutMs`) and opens the
 * batch and item queues and a flow producer on that one connection, each with an error handler:
 * without one, BullMQ prints a raw error, whose command may be the AUTH with its password.
 */
export async function openBatchQueues({ connection, prefix, connectTimeoutMs, signal, onError = () => {} }: OpenBatchQueuesOptions): Promise<BatchQueues> {
  const redis = await connectToRedis(connection, { connectTimeoutMs, signal, onError, connectionName: 'braid-producer' });
  const batches = new Queue(BATCHES_QUEUE, { connection: redis, prefix });
  const items = new Queue(ITEMS_QUEUE, { connection: redis, prefix });
  const flows = new FlowProducer({ connection: redis, prefix });
  // connection errors arrive here too (BullMQ repeats its client's): a reader dedupes by message
  const report = (error: Error): void => onError(maskedError(error, connection));
  batches.on('error', report);
  items.on('error', report);
  flows.on('error', report);
  return {
    redis,
    batches,
    items,
    flows,
    async close() {
      await Promise.allSettled([batches.close(), items.close(), flows.close()]);
      // every command was awaited: nothing is left to flush, and a quit would wait for an absent Redis
      redis.disconnect();
    },
  };
}
