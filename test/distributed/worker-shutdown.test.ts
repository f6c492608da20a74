import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { redisOptionsFromUrl } from '../../src/distributed/index.js';
// internals, by path: the queue names, and the enqueue without a workflow definition
import { ITEMS_QUEUE, itemJobId } from '../../src/distributed/batch-keys.js';
import { runDistributed } from '../../src/distributed/run-distributed.js';
import { DEFAULT_INTENTS, DEFAULT_FALLBACK } from '../../src/workflows/support/support-intents.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { eventually } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess, waitForOutput } from './support/start-worker-process.js';

const config = { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK };

let redis: RedisServer;
let server: FakeProvider;

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer(), startFakeProvider({ latencyMs: 1_000 })]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.close()]);
});

const inFlight = (): number => server.stats().timeline.filter((entry) => entry.end === 0).length;

test('SIGTERM: the worker finishes the job in flight before it exits', async () => {
  server.reset();
  const worker = await startWorkerProcess({ redisUrl: redis.url, server, name: 'finisher' });
  onTestFinished(async () => {
    await worker.stop('SIGKILL');
  });
  const run = runDistributed({ connection: redis.url, kind: 'route', items: [{ query: 'Is there a student discount?', config }], batchId: 'shutdown-e1', pollIntervalMs: 100 });
  await eventually(() => inFlight() === 1, { what: 'a call in flight' });

  const exit = await worker.stop('SIGTERM');
  const { results } = await run;

  expect(exit.code).toBe(0);
  expect(results).toHaveLength(1);
  expect(results[0]!.ok).toBe(true);
  expect(server.stats().byStatus).toEqual({ '200': 2 }); // finished, not cut: both calls answered
});

test('a second Ctrl-C hands the job back without spending an attempt, and another worker resumes it from the journal', async () => {
  server.reset();
  const queue = new Queue(ITEMS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
  onTestFinished(() => queue.close());
  const quitter = await startWorkerProcess({ redisUrl: redis.url, server, name: 'quitter' });
  onTestFinished(async () => {
    await quitter.stop('SIGKILL');
  });
  const run = runDistributed({ connection: redis.url, kind: 'route', items: [{ query: 'Can I pay by bank transfer?', config }], batchId: 'shutdown-e2', pollIntervalMs: 100 });
  // the second call (the answer) is in flight: the classification is journaled
  await eventually(() => server.stats().requests === 2 && inFlight() === 1, { what: 'the second call in flight' });

  quitter.child.kill('SIGINT');
  await waitForOutput(quitter, /finishing the jobs in flight/);
  quitter.child.kill('SIGINT');
  const exit = await quitter.result;
  expect(exit.code).toBe(130);
  expect(exit.stderr).toContain('handed job shutdown-e2-0 back to the queue');
  expect((await Job.fromId(queue, itemJobId('shutdown-e2', 0)))?.attemptsMade).toBe(0);

  const resumer = await startWorkerProcess({ redisUrl: redis.url, server, name: 'resumer' });
  onTestFinished(async () => {
    await resumer.stop();
  });
  const { results } = await run;

  expect(results[0]!.ok && results[0]!.value.summary.replayedSteps).toBe(1);
  const job = await Job.fromId(queue, itemJobId('shutdown-e2', 0));
  expect(job?.processedBy).toBe('resumer');
  expect(job?.attemptsMade).toBe(1);
  // the classification went out once; the cut answer went out again
  expect(server.stats().requests).toBe(3);
});
