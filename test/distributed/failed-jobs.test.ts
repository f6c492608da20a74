import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess } from './support/start-worker-process.js';

const BatchStatus = z.object({
  batchId: z.string(),
  kind: z.literal('route'),
  state: z.literal('completed'),
  total: z.number(),
  completed: z.number(),
  pending: z.number(),
  failed: z.array(z.object({ index: z.number(), jobId: z.string(), error: z.string(), attempts: z.number() })),
});

let redis: RedisServer;
let server: FakeProvider;

beforeAll(async () => {
  // a 400 is not retryable within an attempt, so each job attempt fails at once
  [redis, server] = await Promise.all([startRedisServer(), startFakeProvider({ latencyMs: 20, rules: [{ match: 'POISON', status: 400 }] })]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.close()]);
});

// a worker and four CLI children in a row: room for a loaded machine
test('a job that keeps failing ends failed after its attempts, is listed with its error, and blocks no other item', { timeout: 120_000 }, async () => {
  const worker = await startWorkerProcess({ redisUrl: redis.url, server, name: 'only' });
  onTestFinished(async () => {
    await worker.stop();
  });
  const queries = ['Where is my parcel?', 'My card was charged twice', 'POISON pill query', 'How do I reset my password?', 'Do you ship abroad?'];
  const file = join(makeTempDirectory(), 'queries.txt');
  writeFileSync(file, `${queries.join('\n')}\n`);

  const result = await runCli(['route', '--batch', file, '--redis', redis.url, '--run-id', 'bad-d']);

  expect(result.code).toBe(1);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { query: string; intent?: string; error?: string });
  expect(lines.map((line) => line.query)).toEqual(queries);
  expect(lines.map((line) => line.error === undefined)).toEqual([true, true, false, true, true]);
  expect(lines[2]!.error).toMatch(/400/);
  // every one of the three attempts went to the provider again, and each was refused
  const poisoned = server.stats().timeline.filter((entry) => entry.prompt.includes('POISON'));
  expect(poisoned.length).toBeGreaterThanOrEqual(3);
  expect(poisoned.every((entry) => entry.status === 400)).toBe(true);

  const listed = await runCli(['worker', '--redis', redis.url, '--status', 'bad-d', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  const status = BatchStatus.parse(JSON.parse(listed.stdout));
  expect(status).toMatchObject({ total: 5, completed: 4, pending: 0 });
  expect(status.failed).toEqual([{ index: 2, jobId: 'bad-d-2', error: lines[2]!.error, attempts: 3 }]);

  const table = await runCli(['worker', '--redis', redis.url, '--status', 'bad-d']);
  expect(table.stdout).toContain('failed #2 (job bad-d-2) after 3 attempts');
  const runs = await runCli(['runs', 'bad-d', '--redis', redis.url]);
  expect(runs.stdout).toBe(table.stdout);
});
