import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { redisOptionsFromUrl } from '../../src/distributed/index.js';
import { ITEMS_QUEUE } from '../../src/distributed/batch-keys.js';
import { DEFAULT_FALLBACK, DEFAULT_INTENTS } from '../../src/workflows/support/support-intents.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory } from '../support/run-cli.js';
import { eventually } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess, type WorkerProcess } from './support/start-worker-process.js';

// Jobs written straight into Redis, as anyone who can reach it could: the worker is `braid worker`,
// serving the built-in workflows, and must read no file a job names and call no model for one.

let redis: RedisServer;
let server: FakeProvider;
let worker: WorkerProcess;
let queue: Queue;

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer(), startFakeProvider()]);
  worker = await startWorkerProcess({ redisUrl: redis.url, server, name: 'guard' });
  queue = new Queue(ITEMS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
});
afterAll(async () => {
  await queue?.close();
  await worker?.stop();
  await Promise.all([server?.close(), redis?.close()]);
});

/** Adds a job as an attacker would (three attempts allowed), and waits for it to end. */
async function enqueueRaw(jobId: string, data: unknown): Promise<Job> {
  await queue.add('faq', data, { jobId, attempts: 3 });
  await eventually(async () => {
    const state = await queue.getJobState(jobId);
    return state === 'failed' || state === 'completed';
  }, { what: `job ${jobId} to end` });
  // read once it has ended: a job read before then would not hold its failure yet
  const job = await Job.fromId(queue, jobId);
  if (!job) throw new Error(`job ${jobId} is gone`);
  return job;
}

test('a faq job naming a file and no text fails on validation, reads nothing and calls no model', async () => {
  server.reset();
  const secret = join(makeTempDirectory(), 'secret.md');
  writeFileSync(secret, '# Secret\n\nOPENAI_API_KEY=sk-live-do-not-send\n');

  for (const [jobId, file] of [
    ['evil-0', secret],
    ['evil-1', '/proc/self/environ'],
  ] as const) {
    const job = await enqueueRaw(jobId, { kind: 'faq', batchId: 'evil', index: Number(jobId.slice(-1)), input: { file, questions: 1, mode: 'single' } });
    expect(await job.getState()).toBe('failed');
    // refused as invalid input, at once: no retry could make it valid
    expect(job.failedReason).toMatch(/input/i);
    expect(job.failedReason).toMatch(/text/);
    expect(job.attemptsMade).toBe(1);
    expect(job.returnvalue ?? null).toBeNull();
  }
  // the proof that nothing was read: nothing was sent anywhere
  expect(server.stats().requests).toBe(0);
});

test('a job that is not a braid payload, names an unknown workflow or another job is refused before any work', async () => {
  server.reset();
  const cases: [string, unknown, RegExp][] = [
    ['junk-0', { hello: 'world' }, /not a braid item job/],
    ['junk-1', { kind: 'shell', batchId: 'junk', index: 1, input: { command: 'cat /etc/passwd' } }, /no workflow named shell/],
    // the journal key comes from the payload: a job may not claim another batch's run
    ['junk-2', { kind: 'route', batchId: 'victim', index: 0, input: { query: 'Where is my parcel?', config: { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK } } }, /does not carry its own batch id/],
  ];
  for (const [jobId, data, reason] of cases) {
    const job = await enqueueRaw(jobId, data);
    expect(job.failedReason).toMatch(reason);
    expect(job.attemptsMade).toBe(1);
  }
  expect(server.stats().requests).toBe(0);
});
