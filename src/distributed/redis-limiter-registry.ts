import type { Redis } from 'ioredis';
import type { LimiterRegistry, LimitsSetting } from '../core/limiter-registry.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';

export interface RedisLimiterRegistryOptions {
  /** An ioredis client; the caller owns it and closes it. Give it `maxRetriesPerRequest: null` (see `redisOptionsFromUrl`) so a Redis restart pauses calls instead of failing them. */
  connection: Redis;
  /**
   * Budgets for every model, or per model key. Every process sharing the Redis should be given the
   * same limits: each one enforces its own figures against the shared usage. `concurrency` caps the
   * calls in flight summed over all processes, and has no default here. What is not configured is
   * learned by all of them together and kept in Redis (see `readLearnedLimits`). @default {}
   */
  limits?: LimitsSetting;
  /** Where the limiters' keys live: `<prefix>:{provider:model}:…`. @default 'braid:limits' */
  keyPrefix?: string;
  /** See `RedisRateLimiterOptions.leaseTtlMs`. @default 15_000 */
  leaseTtlMs?: number;
  /** See `RedisRateLimiterOptions.pollIntervalMs`. @default 50 */
  pollIntervalMs?: number;
  /** See `RedisRateLimiterOptions.learnedTtlMs`. @default 30 days */
  learnedTtlMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * One Redis-backed limiter per provider + model: pass it as `limiters` to `createRuntime` in every
 * worker, and the RPM, TPM and concurrency budgets hold for all of them together.
 *
 * @example
 * const redis = new Redis(redisOptionsFromUrl('redis://10.0.0.5:6379'));
 * const limiters = createRedisLimiterRegistry({ connection: redis, limits: { rpm: 500, tpm: 200_000 } });
 * const braid = createRuntime({ model, limiters }); // on every machine: 500 RPM in total
 */
export function createRedisLimiterRegistry({
  connection,
  limits = {},
  keyPrefix = 'braid:limits',
  leaseTtlMs = 15_000,
  pollIntervalMs = 50,
  learnedTtlMs,
  onError,
}: RedisLimiterRegistryOptions): LimiterRegistry {
  const limiters = new Map<string, RateLimiter>();
  return {
    limiterFor(modelKey) {
      let limiter = limiters.get(modelKey);
      if (!limiter) {
        limiter = createRedisRateLimiter({
          redis: connection,
          modelKey,
          limits: typeof limits === 'function' ? limits(modelKey) : limits,
          keyPrefix,
          leaseTtlMs,
          pollIntervalMs,
          learnedTtlMs,
          onError,
        });
        limiters.set(modelKey, limiter);
      }
      return limiter;
    },
  };
}
