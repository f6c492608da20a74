import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, expect, onTestFinished, test, vi } from 'vitest';
import { z } from 'zod';
import { redisOptionsFromUrl } from '../../src/distributed/index.js';
import { BATCHES_QUEUE, ITEMS_QUEUE } from '../../src/distributed/batch-keys.js';
import { DEFAULT_FALLBACK, DEFAULT_INTENTS } from '../../src/workflows/support/support-intents.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, startCli } from '../support/run-cli.js';
import { eventually } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess, type WorkerProcess } from './support/start-worker-process.js';

// A distributed batch is a run like any other: `runs` lists it, `view` shows it, `resume` finishes
// it. The producer names Redis the documented way: BRAID_REDIS_URL and a bare --redis.

const RunsListing = z.array(
  z.object({ id: z.string(), workflow: z.string(), status: z.string(), stepsDone: z.number(), batch: z.object({ total: z.number(), failed: z.number() }).optional() }),
);

let redis: RedisServer;
let server: FakeProvider;
let worker: WorkerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  [redis, server] = await Promise.all([
    startRedisServer({ password: 's3cret-pass' }),
    // the poisoned query fails its first three calls: three attempts, failed for good; then it answers
    startFakeProvider({ rules: [{ match: 'POISON', status: 400, times: 3 }] }),
  ]);
  env = { BRAID_REDIS_URL: redis.url };
  worker = await startWorkerProcess({ redisUrl: redis.url, server, name: 'first-class' });
});
afterAll(async () => {
  await worker?.stop();
  await Promise.all([server?.close(), redis?.close()]);
});

function queriesFile(queries: readonly string[]): string {
  const file = join(makeTempDirectory(), 'queries.txt');
  writeFileSync(file, `${queries.join('\n')}\n`);
  return file;
}

type Routed = { query: string; intent?: string; error?: string };
const linesOf = (stdout: string): Routed[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as Routed);

// several CLI children in a row: room for a loaded machine
const CHILDREN = { timeout: 120_000 };

test('braid runs --redis lists the distributed batches with the local runs, and braid view shows a batch', CHILDREN, async () => {
  server.reset();
  const queries = ['Where is my parcel?', 'I was charged twice', 'The app crashes on start'];
  const routed = await runCli(['route', '--batch', queriesFile(queries), '--redis', '--run-id', 'listed-a'], { env });
  expect(routed.code, routed.stderr).toBe(0);

  const viewer = startCli(['view', 'listed-a', '--no-open'], { env });
  const [listed, table] = await Promise.all([runCli(['runs', '--json'], { env }), runCli(['runs'], { env })]);
  expect(listed.code, listed.stderr).toBe(0);
  const row = RunsListing.parse(JSON.parse(listed.stdout)).find((run) => run.id === 'listed-a');
  expect(row).toMatchObject({ workflow: 'route (redis)', status: 'done', stepsDone: 6, batch: { total: 3, failed: 0 } });
  expect(table.stdout).toMatch(/^listed-a\s+route \(redis\)\s+done/m);

  await vi.waitFor(() => expect(viewer.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/m), { timeout: 20_000 });
  const data = (await (await fetch(new URL('api/run', viewer.stdout().trim()))).json()) as { runId: string; spans: { kind: string; name: string; parentId?: string }[] };
  viewer.child.kill('SIGINT');
  expect((await viewer.result).code).toBe(0);
  expect(data.runId).toBe('listed-a');
  // one group per item under the batch's run, and every call the workers made
  expect(data.spans.filter((span) => span.parentId === 'listed-a').map((span) => span.name).sort()).toEqual(['route[0]', 'route[1]', 'route[2]']);
  expect(data.spans.filter((span) => span.kind === 'attempt')).toHaveLength(server.stats().requests);
});

test('braid resume <batch-id> enqueues again the items that failed for good, and only those', CHILDREN, async () => {
  server.reset();
  const queries = ['Where is my parcel?', 'POISON: my order never arrived', 'Do you ship abroad?'];
  const first = await runCli(['route', '--batch', queriesFile(queries), '--redis', '--run-id', 'resumed-b'], { env });
  expect(first.code).toBe(1);
  expect(linesOf(first.stdout).map((line) => line.error === undefined)).toEqual([true, false, true]);
  const paidBefore = server.stats().requests;

  const resumed = await runCli(['resume', 'resumed-b'], { env });

  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toContain('1 item failed for good: enqueued again');
  const lines = linesOf(resumed.stdout);
  expect(lines.map((line) => line.query)).toEqual(queries);
  expect(lines.every((line) => line.error === undefined && line.intent !== undefined)).toBe(true);
  // only the failed item ran again: its classification and its answer
  expect(server.stats().requests).toBe(paidBefore + 2);
});

test('braid resume <batch-id> collects a batch whose producer stopped waiting', CHILDREN, async () => {
  server.reset();
  const queue = new Queue(ITEMS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
  onTestFinished(() => queue.close());
  await queue.pause(); // no item can finish while the producer waits
  const producer = startCli(['route', '--batch', queriesFile(['Can I pay by bank transfer?', 'Is there a student discount?']), '--redis', '--run-id', 'collected-c'], { env });
  await eventually(async () => (await queue.getJobCounts('wait')).wait === 2, { what: 'the items enqueued' });
  producer.child.kill('SIGINT');
  const stopped = await producer.result;
  expect(stopped.code).toBe(130);
  expect(stopped.stderr).toContain('braid resume collected-c');
  await queue.resume();

  const resumed = await runCli(['resume', 'collected-c'], { env });

  expect(resumed.code, resumed.stderr).toBe(0);
  expect(linesOf(resumed.stdout).map((line) => line.error)).toEqual([undefined, undefined]);
  expect(server.stats().requests).toBe(4); // each item once
});

test('a batch id reused with other items is refused before anything is enqueued', async () => {
  const result = await runCli(['route', '--batch', queriesFile(['Something else entirely']), '--redis', '--run-id', 'listed-a'], { env });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/batch listed-a in this Redis is route over 3 other items/);
});

test("a producer's --model that the workers do not serve is refused before anything is enqueued", async () => {
  server.reset();
  const batches = new Queue(BATCHES_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
  onTestFinished(() => batches.close());
  const file = queriesFile(['Where is my parcel?']);

  const refused = await runCli(['route', '--batch', file, '--redis', '--run-id', 'model-d', '--model', 'openai:gpt-4o'], { env });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('asks for model openai:gpt-4o, but first-class serves openai:gpt-4.1-mini');
  expect(await Job.fromId(batches, 'model-d')).toBeUndefined();
  expect(server.stats().requests).toBe(0);

  const matching = await runCli(['route', '--batch', file, '--redis', '--run-id', 'model-e', '--model', 'openai:gpt-4.1-mini'], { env });
  expect(matching.code, matching.stderr).toBe(0);
});

test('a worker refuses an item whose batch asks for another model, without calling any', async () => {
  server.reset();
  const queue = new Queue(ITEMS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
  onTestFinished(() => queue.close());
  const data = { kind: 'route', batchId: 'model-f', index: 0, model: 'anthropic:claude-haiku-4-5', input: { query: 'Where is my parcel?', config: { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK } } };
  await queue.add('route', data, { jobId: 'model-f-0', attempts: 3 });
  await eventually(async () => (await queue.getJobState('model-f-0')) === 'failed', { what: 'the job to fail' });
  const job = await Job.fromId(queue, 'model-f-0');
  if (!job) throw new Error('the job is gone');

  expect(job.failedReason).toContain('asks for model anthropic:claude-haiku-4-5, but first-class serves openai:gpt-4.1-mini');
  expect(job.attemptsMade).toBe(1);
  expect(server.stats().requests).toBe(0);
});

