import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { createLocalRunner, createModel, createRuntime, type Settled } from '../../src/index.js';
import { routeQueryWorkflow } from '../../src/workflows/index.js';
import { createRedisRunner, ItemFailedError, startWorker } from '../../src/distributed/index.js';
import { DEFAULT_FALLBACK, DEFAULT_INTENTS } from '../../src/workflows/support/support-intents.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { METALS, metalFactsWorkflow, REFUSED } from '../support/metal-facts-workflow.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.close();
});

async function startServer(): Promise<FakeProvider> {
  const server = await startFakeProvider({ rules: [REFUSED] });
  onTestFinished(() => server.close());
  return server;
}

const modelOf = (server: FakeProvider) => createModel('openai:gpt-4.1-mini', { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } });

/** What a result shows a user: the value, or the failure's message (error classes differ by where it ran). */
const visible = (results: Settled<unknown>[]) => results.map((result) => (result.ok ? result : { ok: false, message: (result.error as Error).message }));

test('the same workflow definition gives the same results on the local runner and on a worker through Redis', async () => {
  const localServer = await startServer();
  const local = await createLocalRunner(createRuntime({ model: modelOf(localServer), retry: { maxRetries: 0 } })).run(metalFactsWorkflow, METALS);

  const workerServer = await startServer();
  const worker = startWorker({ connection: redis.url, model: modelOf(workerServer), retry: { maxRetries: 0 }, workflows: [metalFactsWorkflow], name: 'facts' });
  onTestFinished(() => worker.close());
  await worker.ready();
  const distributed = await createRedisRunner({ connection: redis.url, attempts: 1, pollIntervalMs: 50 }).runBatch(metalFactsWorkflow, METALS, { batchId: 'same-workflow' });

  expect(local.map((result) => result.ok)).toEqual([true, false, true]);
  // the fake answers each prompt the same way every time, so the results are equal, not just alike
  expect(visible(distributed.results)).toEqual(visible(local));
  expect(distributed.results[1]).toMatchObject({ ok: false, error: expect.any(ItemFailedError) });
  // the items' runs were counted: two steps for each of the two that succeeded
  expect(distributed.summary.steps).toBe(4);
  expect(workerServer.stats().requests).toBe(localServer.stats().requests);
});

test('a worker fails a job whose workflow it does not know at once, without retrying it', async () => {
  const server = await startServer();
  const worker = startWorker({ connection: redis.url, model: modelOf(server), workflows: [metalFactsWorkflow], name: 'facts-only' });
  onTestFinished(() => worker.close());
  await worker.ready();

  const [result] = await createRedisRunner({ connection: redis.url, attempts: 3, pollIntervalMs: 50 }).run(
    routeQueryWorkflow,
    [{ query: 'Where is my parcel?', config: { intents: DEFAULT_INTENTS, fallback: DEFAULT_FALLBACK } }],
    { batchId: 'unknown-workflow' },
  );

  expect(result).toMatchObject({ ok: false, error: expect.any(ItemFailedError) });
  if (result?.ok !== false) throw new Error('unreachable');
  expect((result.error as ItemFailedError).message).toMatch(/no workflow named route/);
  expect((result.error as ItemFailedError).attempts).toBe(1);
  expect(server.stats().requests).toBe(0);
});
