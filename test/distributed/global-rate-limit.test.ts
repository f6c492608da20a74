import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { redisOptionsFromUrl } from '../../src/distributed/index.js';
import { ITEMS_QUEUE, itemJobId } from '../../src/distributed/batch-keys.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { busiestWindow } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess } from './support/start-worker-process.js';

// the provider allows 6 requests per 3 s window; so do the workers, together
const RPM = 6;
const WINDOW_MS = 3_000;

let redis: RedisServer;
let server: FakeProvider;

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer(), startFakeProvider({ rpm: RPM, windowMs: WINDOW_MS, latencyMs: 100 })]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.close()]);
});

test('three workers share one budget: the provider never sees more than its limit, and no 429', async () => {
  const workers = await Promise.all(
    ['w1', 'w2', 'w3'].map((name) =>
      startWorkerProcess({ redisUrl: redis.url, server, name, args: ['--rpm', String(RPM), '--rate-window-ms', String(WINDOW_MS), '--concurrency', '2'] }),
    ),
  );
  onTestFinished(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  });
  const queries = Array.from({ length: 9 }, (_, index) => `Question number ${index}: my invoice ${index} looks wrong`);
  const file = join(makeTempDirectory(), 'queries.txt');
  writeFileSync(file, `${queries.join('\n')}\n`);

  const result = await runCli(['route', '--batch', file, '--json', '--redis', redis.url, '--run-id', 'limit-a']);

  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { query: string; intent?: string });
  expect(lines.map((line) => line.query)).toEqual(queries);
  for (const line of lines) expect(line.intent).toBeTypeOf('string');

  const { timeline, byStatus } = server.stats();
  expect(byStatus).toEqual({ '200': 2 * queries.length }); // classify + respond per query, none refused
  expect(busiestWindow(timeline.map((entry) => entry.start), WINDOW_MS)).toBeLessThanOrEqual(RPM);

  // the budget held across processes, not within one: more than one worker ran the jobs
  const queue = new Queue(ITEMS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
  onTestFinished(() => queue.close());
  const jobs = await Promise.all(queries.map((_, index) => Job.fromId(queue, itemJobId('limit-a', index))));
  const processedBy = new Set(jobs.map((job) => job?.processedBy));
  expect(processedBy.size).toBeGreaterThan(1);
});
