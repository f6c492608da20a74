import { Redis } from 'ioredis';
import type { LearnedLimits } from '../core/limit-memory.js';
import { readLearnedLimits } from '../distributed/read-learned-limits.js';
import { describeRedisUrl, redisOptionsFromUrl } from '../distributed/redis-connection-options.js';

/** What the workers on a Redis have learned; one read, so a Redis that is away fails it instead of waiting. */
export async function readLimitsOnRedis(url: string): Promise<Record<string, LearnedLimits>> {
  const redis = new Redis({ ...redisOptionsFromUrl(url), maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  try {
    await redis.connect();
    return await readLearnedLimits(redis);
  } catch (error) {
    throw new Error(`cannot read the learned limits on ${describeRedisUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    redis.disconnect();
  }
}
