import { setTimeout as sleep } from 'node:timers/promises';
import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createModel, createRuntime, type Lease } from '../../src/index.js';
import { createRedisLimiterRegistry } from '../../src/distributed/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { busiestWindow } from './support/eventually.js';
import { useRedisServer } from './support/use-redis-server.js';

const MODEL_KEY = 'openai:gpt-4.1-mini';
const Fact = z.object({ fact: z.string() });

const { connect } = useRedisServer();

/** A unique key prefix per test, so budgets do not leak between tests. */
let tests = 0;
const prefix = (): string => `test-limits-${++tests}`;

test('processes that each respect their own limiter stay within one shared RPM on the wire, with no 429', async () => {
  const server = await startFakeProvider({ rpm: 5, windowMs: 1_000, latencyMs: 150 });
  onTestFinished(() => server.close());
  const keyPrefix = prefix();
  // three "processes": each its own Redis client, registry and runtime
  const runtimes = [connect(), connect(), connect()].map((connection) =>
    createRuntime({
      model: createModel(MODEL_KEY, { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } }),
      limiters: createRedisLimiterRegistry({ connection, keyPrefix, limits: { rpm: 5, windowMs: 1_000 } }),
      retry: { maxRetries: 0 },
    }),
  );

  const results = await Promise.all(
    runtimes.map((braid, process) => braid.parallel([0, 1, 2, 3], (index, item) => item.step({ name: 'fact', prompt: `Fact ${process}-${index}`, schema: Fact }))),
  );

  expect(results.flat().every((result) => result.ok)).toBe(true);
  const { timeline, byStatus } = server.stats();
  expect(byStatus).toEqual({ '200': 12 });
  expect(busiestWindow(timeline.map((entry) => entry.start), 1_000)).toBeLessThanOrEqual(5);
});

test('the concurrency cap holds across processes: a slot freed in one is taken in another', async () => {
  const keyPrefix = prefix();
  const [first, second] = [connect(), connect()].map((connection) =>
    createRedisLimiterRegistry({ connection, keyPrefix, limits: { concurrency: 2 }, pollIntervalMs: 10 }).limiterFor(MODEL_KEY),
  );
  const held = [await first!.acquire({ tokens: 10 }), await first!.acquire({ tokens: 10 })];
  let granted: Lease | undefined;
  const waiting = second!.acquire({ tokens: 10 }).then((lease) => (granted = lease));
  await sleep(300); // thirty polls of the other process: none may get a third slot
  expect(granted).toBeUndefined();

  held[0]!.release({ tokens: 12 });
  await waiting;
  expect(second!.inFlight).toBe(1);
  held[1]!.release();
  granted?.release();
});

test("a dead process's slot expires with its lease instead of leaking", async () => {
  const keyPrefix = prefix();
  const doomed = connect();
  const options = { keyPrefix, limits: { concurrency: 1 }, leaseTtlMs: 600, pollIntervalMs: 20 };
  const dying = createRedisLimiterRegistry({ connection: doomed, ...options }).limiterFor(MODEL_KEY);
  await dying.acquire({ tokens: 10 });
  doomed.disconnect(); // like SIGKILL: no release, no more refreshes
  const survivor = createRedisLimiterRegistry({ connection: connect(), ...options }).limiterFor(MODEL_KEY);

  const lease = await survivor.acquire({ tokens: 10 });

  expect(survivor.inFlight).toBe(1);
  lease.release();
});

test('a held lease is refreshed: it outlives its TTL while its call runs', async () => {
  const keyPrefix = prefix();
  const options = { keyPrefix, limits: { concurrency: 1 }, leaseTtlMs: 300, pollIntervalMs: 20 };
  const holder = createRedisLimiterRegistry({ connection: connect(), ...options }).limiterFor(MODEL_KEY);
  const other = createRedisLimiterRegistry({ connection: connect(), ...options }).limiterFor(MODEL_KEY);
  const lease = await holder.acquire({ tokens: 10 });
  let granted: Lease | undefined;
  const waiting = other.acquire({ tokens: 10 }).then((next) => (granted = next));

  await sleep(1_200); // four TTLs
  expect(granted).toBeUndefined();
  lease.release();
  await waiting;
  granted?.release();
});

test("a 429's Retry-After pauses every process: no request reaches the provider until it has passed", async () => {
  const server = await startFakeProvider({ rules: [{ match: 'first', status: 429, retryAfterSeconds: 1, times: 1 }] });
  onTestFinished(() => server.close());
  const keyPrefix = prefix();
  const model = createModel(MODEL_KEY, { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } });
  const limitedConnection = connect();
  let onRateLimited = (): void => {};
  const rateLimited = new Promise<void>((resolve) => (onRateLimited = resolve));
  const limited = createRuntime({
    model,
    limiters: createRedisLimiterRegistry({ connection: limitedConnection, keyPrefix }),
    onSpan: (span) => span.rateLimited && onRateLimited(),
  });
  const bystander = createRuntime({ model, limiters: createRedisLimiterRegistry({ connection: connect(), keyPrefix }) });

  const first = limited.step({ name: 'fact', prompt: 'the first call', schema: Fact });
  await rateLimited;
  await limitedConnection.ping(); // one connection runs in order: the 429's release (and pause) is in Redis now
  await bystander.step({ name: 'fact', prompt: 'another process', schema: Fact });
  await first;

  const [refused, ...later] = server.stats().timeline;
  expect(refused!.status).toBe(429);
  // the provider asked for a second; the pause starts when its answer came back
  for (const entry of later) expect(entry.start - refused!.end).toBeGreaterThanOrEqual(1_000);
  expect(later.map((entry) => entry.status)).toEqual([200, 200]);
});
