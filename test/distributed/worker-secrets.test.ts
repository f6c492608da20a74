import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { defineBatchWorkflow } from '../../src/index.js';
import { createRedisRunner, ItemFailedError, redisOptionsFromUrl, startWorker } from '../../src/distributed/index.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';

const KEY = 'sk-live-0123456789abcdef';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer({ password: 'redis-secret-pass' });
});
afterAll(async () => {
  await redis?.close();
});

/** Every value Redis holds, as text: what anyone with access to it can read. */
async function everythingIn(client: Redis): Promise<string> {
  const texts: string[] = [];
  for (const key of await client.keys('*')) {
    const type = await client.type(key);
    if (type === 'string') texts.push((await client.get(key)) ?? '');
    else if (type === 'hash') texts.push(JSON.stringify(await client.hgetall(key)));
    else if (type === 'list') texts.push(JSON.stringify(await client.lrange(key, 0, -1)));
    else if (type === 'set') texts.push(JSON.stringify(await client.smembers(key)));
    else if (type === 'zset') texts.push(JSON.stringify(await client.zrange(key, '0', '-1')));
    else if (type === 'stream') texts.push(JSON.stringify(await client.xrange(key, '-', '+')));
  }
  return texts.join('\n');
}

test("a failure whose message echoes the worker's provider key is stored in Redis without the key", async () => {
  // what a provider's 401 sometimes does: quote the key it refused
  const leaky = defineBatchWorkflow({
    name: 'leaky',
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
    run: async () => {
      throw new Error(`401 Incorrect API key provided: ${KEY}`);
    },
  });
  const worker = startWorker({ connection: redis.url, model: 'openai:gpt-4.1-mini', env: { OPENAI_API_KEY: KEY }, workflows: [leaky], name: 'leaky' });
  onTestFinished(() => worker.close());
  await worker.ready();

  const [result] = await createRedisRunner({ connection: redis.url, attempts: 1, pollIntervalMs: 50 }).run(leaky, [{ n: 1 }], { batchId: 'leak-a' });

  expect(result).toMatchObject({ ok: false, error: expect.any(ItemFailedError) });
  expect((result as { error: Error }).error.message).toBe('401 Incorrect API key provided: ***');
  const client = new Redis(redisOptionsFromUrl(redis.url));
  onTestFinished(() => client.disconnect());
  const stored = await everythingIn(client);
  expect(stored).toContain('Incorrect API key provided: ***'); // the failure is there, with its stack
  expect(stored).not.toContain(KEY);
});
