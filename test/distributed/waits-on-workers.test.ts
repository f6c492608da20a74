import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createModel, defineBatchWorkflow, InvalidSignalError } from '../../src/index.js';
import { createRedisRunner, createRedisWaitJournal, redisOptionsFromUrl, signalDistributedRun, startWorker, type WorkerEvent } from '../../src/distributed/index.js';
// queue names and keys are internal: a test that looks inside Redis imports them by path
import { ITEMS_QUEUE, itemJobId, itemRunId } from '../../src/distributed/batch-keys.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { runCli } from '../support/run-cli.js';
import { eventually } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.close();
});

const Fact = z.object({ fact: z.string() });
const Approval = z.object({ approved: z.boolean() });

/** One fact per metal; cobalt's is published only once someone approves it. */
const approvedFacts = defineBatchWorkflow({
  name: 'approved-facts',
  input: z.object({ metal: z.string() }),
  output: z.object({ metal: z.string(), fact: z.string() }),
  run: async (run, { metal }) => {
    const { fact } = await run.step({ name: 'fact', prompt: `One fact about ${metal}`, schema: Fact });
    if (metal !== 'cobalt') return { metal, fact };
    const { approved } = await run.waitFor('approval', Approval, { prompt: `Publish the fact about ${metal}?` });
    return { metal, fact: approved ? fact : 'withheld' };
  },
});

/** A fact, a durable sleep, a second fact. */
const sleepyFacts = defineBatchWorkflow({
  name: 'sleepy-facts',
  input: z.object({ metal: z.string(), ms: z.number() }),
  output: z.array(z.string()),
  run: async (run, { metal, ms }) => {
    const first = await run.step({ name: 'first', prompt: `One fact about ${metal}`, schema: Fact });
    await run.sleep(ms);
    const second = await run.step({ name: 'second', prompt: `Another fact about ${metal}`, schema: Fact });
    return [first.fact, second.fact];
  },
});

async function startServer(): Promise<FakeProvider> {
  const server = await startFakeProvider({ seed: 4 });
  onTestFinished(() => server.close());
  return server;
}

function startTestWorker(server: FakeProvider, name: string, events: WorkerEvent[] = []) {
  const model = createModel('openai:gpt-4.1-mini', { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } });
  const worker = startWorker({ connection: redis.url, model, concurrency: 1, workflows: [approvedFacts, sleepyFacts], name, onEvent: (event) => events.push(event) });
  onTestFinished(() => worker.close());
  return worker;
}

async function jobState(batchId: string, index: number): Promise<string | undefined> {
  const queue = new Queue(ITEMS_QUEUE, { connection: redisOptionsFromUrl(redis.url), prefix: 'braid' });
  try {
    return await (await Job.fromId(queue, itemJobId(batchId, index)))?.getState();
  } finally {
    await queue.close();
  }
}

async function pendingWaits(runId: string) {
  const connection = new Redis(redisOptionsFromUrl(redis.url));
  try {
    return await createRedisWaitJournal({ connection }).pending(runId);
  } finally {
    await connection.quit();
  }
}

const factPrompts = (server: FakeProvider, metal: string) => server.stats().timeline.filter((request) => request.prompt.includes(`about ${metal}`)).length;

test('a waiting item frees its worker; braid signal --redis puts it back on the queue, another worker goes on without calling anything again', async () => {
  const server = await startServer();
  const events: WorkerEvent[] = [];
  const first = startTestWorker(server, 'first', events);
  await first.ready();
  // one worker, one job at a time: the other items can only run if the waiting one lets go of it
  const batch = createRedisRunner({ connection: redis.url, attempts: 1, pollIntervalMs: 50 }).runBatch(approvedFacts, [{ metal: 'cobalt' }, { metal: 'iron' }, { metal: 'zinc' }], {
    batchId: 'approvals',
  });
  const runId = itemRunId('approvals', 0);
  const [wait] = await eventually(async () => {
    const waits = await pendingWaits(runId);
    return waits.length > 0 && waits;
  }, { what: 'the cobalt item to wait' });
  expect(wait).toMatchObject({ runId, name: 'approval', key: '/approved-facts#0/approval#0', prompt: 'Publish the fact about cobalt?' });
  await eventually(async () => (await jobState('approvals', 2)) === 'completed', { what: 'the items after the waiting one to finish on the same worker' });
  expect(await jobState('approvals', 0)).toBe('delayed');
  expect(events).toContainEqual(expect.objectContaining({ type: 'waiting', jobId: itemJobId('approvals', 0) }));

  // the first worker goes away; the answer is taken up by another one
  await first.close();
  const second = startTestWorker(server, 'second');
  await second.ready();
  const signalled = await runCli(['signal', runId, 'approval', '{"approved": true}', '--redis', redis.url]);
  expect(signalled.code).toBe(0);
  expect(signalled.stderr).toContain(`answered "approval" of item ${runId} (/approved-facts#0/approval#0); it is back on the queue`);

  const { results } = await batch;
  expect(results.map((result) => result.ok && result.value.metal)).toEqual(['cobalt', 'iron', 'zinc']);
  expect(results[0]).toMatchObject({ ok: true, value: { fact: expect.not.stringMatching(/^withheld$/) } });
  // cobalt's fact replayed from the Redis journal on the second worker: asked once in all
  expect(factPrompts(server, 'cobalt')).toBe(1);
});

test('a signal that does not fit is refused in Redis too, and the item stays parked', async () => {
  const server = await startServer();
  const worker = startTestWorker(server, 'refusing');
  await worker.ready();
  const batch = createRedisRunner({ connection: redis.url, attempts: 1, pollIntervalMs: 50 }).runBatch(approvedFacts, [{ metal: 'cobalt' }], { batchId: 'refusals' });
  const runId = itemRunId('refusals', 0);
  await eventually(async () => (await jobState('refusals', 0)) === 'delayed', { what: 'the item to park' });

  await expect(signalDistributedRun(runId, 'approval', { approved: 'yes' }, { connection: redis.url })).rejects.toThrow(InvalidSignalError);
  expect(await jobState('refusals', 0)).toBe('delayed');
  expect(await pendingWaits(runId)).toHaveLength(1);
  await expect(signalDistributedRun(itemRunId('no-such-batch', 0), 'approval', { approved: true }, { connection: redis.url })).rejects.toThrow(/no item no-such-batch\/0/);

  expect(await signalDistributedRun(runId, 'approval', { approved: false }, { connection: redis.url })).toMatchObject({ delivered: 'answered', resumed: true });
  const { results } = await batch;
  expect(results).toEqual([{ ok: true, value: { metal: 'cobalt', fact: 'withheld' } }]);
});

test('a sleeping item is parked until it is due, then any worker goes on with it by itself', async () => {
  const server = await startServer();
  const events: WorkerEvent[] = [];
  const worker = startTestWorker(server, 'sleeper', events);
  await worker.ready();
  const { results } = await createRedisRunner({ connection: redis.url, attempts: 1, pollIntervalMs: 50 }).runBatch(sleepyFacts, [{ metal: 'tin', ms: 400 }], { batchId: 'sleepers' });
  expect(results).toEqual([{ ok: true, value: [expect.any(String), expect.any(String)] }]);
  expect(events).toContainEqual({ type: 'waiting', jobId: itemJobId('sleepers', 0), waits: [expect.objectContaining({ kind: 'sleep', key: '/sleepy-facts#0/sleep#0' })] });
  // the first fact was asked once: after the sleep the item replayed it from the journal
  expect(server.stats().timeline.map((request) => (request.prompt.includes('Another fact') ? 'second' : 'first'))).toEqual(['first', 'second']);
});
