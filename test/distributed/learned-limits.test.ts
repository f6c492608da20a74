import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createRuntime, QuotaExhaustedError, type RateLimits, type Runtime } from '../../src/index.js';
import { createRedisLimiterRegistry, readLearnedLimits } from '../../src/distributed/index.js';
import { startFakeProvider, type FakeProvider, type StartFakeProviderOptions } from '../fake-provider/index.js';
import { modelOn, type Wire } from '../support/wire-models.js';
import { runCli } from '../support/run-cli.js';
import { useRedisServer } from './support/use-redis-server.js';

// Workers are simulated as runtimes with their own Redis client and limiter registry, sharing one
// Redis and one fake provider. Assertions count 429s and delivered items.

const Fact = z.object({ fact: z.string().max(80) });
const MODEL_KEY = 'openai:test-model';

const redis = useRedisServer();
const { connect } = redis;

let tests = 0;
const prefix = (): string => `test-learned-${++tests}`;

async function fakeServer(options: StartFakeProviderOptions): Promise<FakeProvider> {
  const server = await startFakeProvider({ seed: 3, latencyMs: 30, ...options });
  onTestFinished(() => server.close());
  return server;
}

function worker(server: FakeProvider, keyPrefix: string, { wire = 'openai', limits = {} }: { wire?: Wire; limits?: RateLimits } = {}): Runtime {
  const connection = connect();
  return createRuntime({
    model: modelOn(wire, server),
    limiters: createRedisLimiterRegistry({ connection, keyPrefix, limits, pollIntervalMs: 10 }),
    retry: { maxRetries: 10 },
  });
}

/** Each worker makes `items` calls at once. */
async function fanOut(workers: readonly Runtime[], items: number): Promise<number> {
  const results = await Promise.all(
    workers.map((braid, index) => braid.parallel(Array.from({ length: items }, (_, item) => item), (item, scope) => scope.step({ name: 'fact', prompt: `fact ${index}-${item}`, schema: Fact }))),
  );
  return results.flat().filter((result) => result.ok).length;
}

/** 429s of attempts started, in any worker, after the first 429 had reached a worker. */
function later429s(workers: readonly Runtime[]): number {
  const attempts = workers.flatMap((braid) => braid.spans().filter((span) => span.kind === 'attempt'));
  const firstSeen = Math.min(...attempts.filter((attempt) => attempt.rateLimited).map((attempt) => attempt.end));
  return attempts.filter((attempt) => attempt.rateLimited && attempt.start > firstSeen).length;
}

function count429s(server: FakeProvider): number {
  return server.stats().byStatus['429'] ?? 0;
}

test('with only Retry-After, two workers learn one shared rate: at most one more 429 after the first, and the rate is kept in Redis', async () => {
  const server = await fakeServer({ rpm: 4, windowMs: 1_000, rateLimitSignals: 'retry-after' });
  const keyPrefix = prefix();
  const workers = [worker(server, keyPrefix), worker(server, keyPrefix)];
  expect(await fanOut(workers, 6)).toBe(12);
  expect(count429s(server)).toBeGreaterThan(0);
  expect(later429s(workers)).toBeLessThanOrEqual(1);

  const learned = await readLearnedLimits(connect(), { keyPrefix });
  expect(learned[MODEL_KEY]?.requests).toMatchObject({ source: '429 rate', perSecond: expect.any(Number) });
  // about 4 per second for both workers together (read low on a loaded machine), never above it
  expect(learned[MODEL_KEY]!.requests!.perSecond!).toBeGreaterThan(1.5);
  expect(learned[MODEL_KEY]!.requests!.perSecond!).toBeLessThanOrEqual(4.2);

  // a new worker, a new process: it starts at the rate the others learned
  server.reset();
  const late = worker(server, keyPrefix);
  expect(await fanOut([late], 6)).toBe(6);
  expect(count429s(server)).toBeLessThanOrEqual(1);
});

test('with rate headers, workers start no more calls than remaining minus those in flight everywhere: no 429; braid limits --redis shows it', async () => {
  const server = await fakeServer({ rpm: 4, windowMs: 1_500 });
  const keyPrefix = 'braid:limits'; // the default, which the CLI reads
  const workers = [worker(server, keyPrefix), worker(server, keyPrefix)];
  // one call first, as a run's first step: what it learns paces both workers' fan-out
  await workers[0]!.step({ name: 'fact', prompt: 'fact first', schema: Fact });
  expect(await fanOut(workers, 5)).toBe(10);
  expect(count429s(server)).toBe(0);
  const learned = await readLearnedLimits(connect(), { keyPrefix });
  expect(learned[MODEL_KEY]?.requests).toMatchObject({ perWindow: 4, source: 'headers', detail: 'x-ratelimit-limit-requests' });

  const shown = await runCli(['limits', '--redis', redis.url, '--json']);
  expect(shown.code).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({ redis: redis.url, models: { [MODEL_KEY]: { requests: { perWindow: 4, source: 'headers' } } } });
});

test("a Gemini quota body read by one worker paces them all: at most one more 429 after the first", async () => {
  const server = await fakeServer({ rpm: 3, windowMs: 1_000 });
  const keyPrefix = prefix();
  const workers = [worker(server, keyPrefix, { wire: 'google', limits: { windowMs: 1_000 } }), worker(server, keyPrefix, { wire: 'google', limits: { windowMs: 1_000 } })];
  expect(await fanOut(workers, 5)).toBe(10);
  expect(later429s(workers)).toBeLessThanOrEqual(1);
  const learned = await readLearnedLimits(connect(), { keyPrefix });
  expect(learned['google:test-model']?.requests).toMatchObject({ perWindow: 3, source: '429 body', detail: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' });
});

test('a daily quota met by one worker stops the others without a call, naming the quota', async () => {
  const server = await fakeServer({ rpd: 2, latencyMs: 0 });
  const keyPrefix = prefix();
  const [first, second] = [worker(server, keyPrefix), worker(server, keyPrefix)];
  await first!.step({ name: 'fact', prompt: 'fact a', schema: Fact });
  await first!.step({ name: 'fact', prompt: 'fact b', schema: Fact });
  await expect(first!.step({ name: 'fact', prompt: 'fact c', schema: Fact })).rejects.toBeInstanceOf(QuotaExhaustedError);
  const requests = server.stats().requests;

  const refused = await second!.step({ name: 'fact', prompt: 'fact d', schema: Fact }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(QuotaExhaustedError);
  expect((refused as QuotaExhaustedError).quota).toBe('requests per day (RPD)');
  expect((refused as QuotaExhaustedError).limit).toBe(2);
  expect(server.stats().requests).toBe(requests);
  const learned = await readLearnedLimits(connect(), { keyPrefix });
  expect(learned[MODEL_KEY]?.exhaustedQuota).toMatchObject({ name: 'requests per day (RPD)', limit: 2 });
});
