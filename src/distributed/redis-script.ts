import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RedisScript {
  /** Runs the script atomically; sent by hash, and in full only when Redis does not know it yet. */
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/**
 * A Lua script run with EVALSHA, falling back to EVAL on NOSCRIPT: after a Redis restart the
 * script cache is empty, and the first call loads it again.
 *
 * @example
 * const touch = defineRedisScript("return redis.call('PEXPIRE', KEYS[1], ARGV[1])");
 * await touch.run(redis, ['braid:key'], [60_000]);
 */
export function defineRedisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return redis.eval(lua, keys.length, ...keys, ...args);
      }
    },
  };
}
