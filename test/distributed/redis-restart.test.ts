import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, startCli } from '../support/run-cli.js';
import { eventually } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess } from './support/start-worker-process.js';

let redis: RedisServer;
let server: FakeProvider;

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer(), startFakeProvider({ latencyMs: 300 })]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.close()]);
});

// two workers, a producer and a Redis restart: room for a loaded machine
test('Redis restarts mid-run (appendonly): workers and producer reconnect, and the run completes with every item once', { timeout: 120_000 }, async () => {
  const workers = await Promise.all(['r1', 'r2'].map((name) => startWorkerProcess({ redisUrl: redis.url, server, name, args: ['--concurrency', '2'] })));
  onTestFinished(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  });
  const queries = Array.from({ length: 16 }, (_, index) => `Ticket ${index}: the app crashes when I open screen ${index}`);
  const file = join(makeTempDirectory(), 'tickets.txt');
  writeFileSync(file, `${queries.join('\n')}\n`);
  const producer = startCli(['route', '--batch', file, '--redis', redis.url, '--run-id', 'restart-c']);

  // restart while items are both done and still to do
  await eventually(() => server.stats().timeline.filter((entry) => entry.status === 200).length >= 6, { what: 'the first answers' });
  await redis.shutdown();
  const answeredWhileDown = server.stats().requests;
  await redis.restart();
  const result = await producer.result;

  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { query: string; intent?: string; error?: string });
  expect(lines.map((line) => line.query)).toEqual(queries);
  for (const line of lines) expect(line.error).toBeUndefined();
  expect(server.stats().requests).toBeGreaterThan(answeredWhileDown); // the work went on after the restart
});
