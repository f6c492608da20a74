import { Redis } from 'ioredis';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { redisOptionsFromUrl } from '../../../src/distributed/index.js';
import { startRedisServer, type RedisServer } from './start-redis-server.js';

export interface SharedRedisServer {
  /** The file's redis-server (started in `beforeAll`): `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** A Redis client of its own, as a separate process would have, disconnected when the test ends. */
  connect(): Redis;
}

/** One redis-server for a whole test file, stopped (and its data removed) in `afterAll`. */
export function useRedisServer(): SharedRedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  const running = (): RedisServer => {
    if (!server) throw new Error('redis-server starts in beforeAll');
    return server;
  };
  return {
    get url() {
      return running().url;
    },
    connect() {
      const client = new Redis(redisOptionsFromUrl(running().url));
      onTestFinished(() => client.disconnect());
      return client;
    },
  };
}
