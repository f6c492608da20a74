import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import {
  createLimiterRegistry,
  createRuntime,
  openLimitsFile,
  QuotaExhaustedError,
  type LimitMemory,
  type LearnedBudget,
  type LearnedLimits,
  type RateLimits,
  type Runtime,
} from '../../src/index.js';
import { startFakeProvider, type FakeProvider, type StartFakeProviderOptions } from '../fake-provider/index.js';
import { modelOn, type Wire } from '../support/wire-models.js';

// Assertions count 429s and what was delivered; the waits are the provider's own windows, kept short.

const Fact = z.object({ fact: z.string().max(80) });

async function fakeServer(options: StartFakeProviderOptions): Promise<FakeProvider> {
  const server = await startFakeProvider({ seed: 5, latencyMs: 30, ...options });
  onTestFinished(() => server.close());
  return server;
}

/**
 * 429s of attempts braid started after the first 429 had reached it. Counted from braid's attempt spans
 * (an attempt starts when the limiter grants it): a call granted before may reach the wire later, behind
 * the SDK's and the in-process fake's own work, and it was in flight all the same.
 */
function later429s(braid: Runtime): number {
  const attempts = braid.spans().filter((span) => span.kind === 'attempt');
  const firstSeen = Math.min(...attempts.filter((attempt) => attempt.rateLimited).map((attempt) => attempt.end));
  return attempts.filter((attempt) => attempt.rateLimited && attempt.start > firstSeen).length;
}

function count429s(server: FakeProvider): number {
  return server.stats().byStatus['429'] ?? 0;
}

async function factsOn(wire: Wire, server: FakeProvider, items: number, { limits, memory }: { limits?: RateLimits; memory?: LimitMemory } = {}) {
  const braid = createRuntime({ model: modelOn(wire, server), limiters: createLimiterRegistry(limits, { memory }), retry: { maxRetries: 10 } });
  // one call first, as the FAQ's questions call is: what it learns paces the fan-out
  await braid.step({ name: 'fact', prompt: 'fact first', schema: Fact });
  const results = await braid.parallel(Array.from({ length: items }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  return { braid, delivered: results.filter((result) => result.ok).length + 1 };
}

function memoryInTemporaryFile() {
  const directory = mkdtempSync(join(tmpdir(), 'braid-limits-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return openLimitsFile(join(directory, 'limits.json'));
}

test.each(['openai', 'anthropic'] as const)('%s rate headers: no more calls start than remaining minus those in flight, so no 429', async (wire) => {
  // no limit configured, and braid's window left at a minute: the headers alone say 4 per 1.5 s
  const server = await fakeServer({ rpm: 4, windowMs: 1_500 });
  const { delivered } = await factsOn(wire, server, 9);
  expect(delivered).toBe(10);
  expect(count429s(server)).toBe(0);
});

test('a Gemini 429 body names its quota: after the first 429, at most one more', async () => {
  // Gemini sends no rate headers: the first fan-out meets the limit; QuotaFailure says 3 per minute (1 s here)
  const server = await fakeServer({ rpm: 3, windowMs: 1_000 });
  const { delivered, braid } = await factsOn('google', server, 9, { limits: { windowMs: 1_000 } });
  expect(delivered).toBe(10);
  expect(count429s(server)).toBeGreaterThan(0);
  expect(later429s(braid)).toBeLessThanOrEqual(1);
  expect(braid.summary().rateLimited).toBe(count429s(server));
});

test.each([
  ['exact retry-after-ms', true],
  ['whole-second Retry-After', false],
] as const)('with only Retry-After (%s), the measured rate lets at most one more 429 through', async (_, retryAfterMs) => {
  const server = await fakeServer({ rpm: 3, windowMs: 1_000, rateLimitSignals: 'retry-after', retryAfterMs });
  const { delivered, braid } = await factsOn('openai', server, 11);
  expect(delivered).toBe(12);
  expect(count429s(server)).toBeGreaterThan(0);
  expect(later429s(braid)).toBeLessThanOrEqual(1);
});

test('a learned rate is remembered: the next run on the same memory starts at it and meets at most one 429', async () => {
  const memory = memoryInTemporaryFile();
  const first = await fakeServer({ rpm: 3, windowMs: 1_000, rateLimitSignals: 'retry-after' });
  await factsOn('openai', first, 8, { memory });
  expect(count429s(first)).toBeGreaterThan(0);
  const learned = memory.recall('openai:test-model');
  expect(learned?.requests).toMatchObject({ source: '429 rate', perSecond: expect.any(Number) });
  // about 3 per second, never above what the provider allowed
  expect(learned!.requests!.perSecond!).toBeGreaterThan(1.5);
  expect(learned!.requests!.perSecond!).toBeLessThanOrEqual(3.2);

  const second = await fakeServer({ rpm: 3, windowMs: 1_000, rateLimitSignals: 'retry-after' });
  const again = openLimitsFile(memory.path); // a new process reads the file afresh
  const { delivered } = await factsOn('openai', second, 8, { memory: again });
  expect(delivered).toBe(9);
  expect(count429s(second)).toBeLessThanOrEqual(1);
});

test('stated limits are remembered with their source', async () => {
  const memory = memoryInTemporaryFile();
  const server = await fakeServer({ rpm: 4, tpm: 50_000, windowMs: 1_500 });
  await factsOn('openai', server, 3, { memory });
  expect(memory.recall('openai:test-model')).toMatchObject({
    requests: { perWindow: 4, source: 'headers', windowMs: expect.any(Number) },
    tokens: { perWindow: 50_000, source: 'headers' },
  } satisfies Partial<Record<keyof LearnedLimits, Partial<LearnedBudget>>>);
  expect(memory.recall('openai:test-model')!.requests!.windowMs!).toBeLessThanOrEqual(1_600);
});

test('a configured rpm is spent evenly, not in a burst: no 429 from a provider that counts over shorter intervals', async () => {
  // 40 per 30 s is one call per 750 ms; the provider allows one per 500 ms window, so a burst of the
  // budget would meet 429s at once, and 250 ms of leeway absorbs a loaded machine's delays on the way
  const server = await fakeServer({ rpm: 1, windowMs: 500, rateLimitSignals: 'retry-after' });
  const braid = createRuntime({ model: modelOn('openai', server), limits: { rpm: 40, windowMs: 30_000 } });
  const results = await braid.parallel(Array.from({ length: 6 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  expect(results.every((result) => result.ok)).toBe(true);
  expect(count429s(server)).toBe(0);
});

test.each(['openai', 'google'] as const)(
  '%s per-day quota: no new call starts, calls in flight finish, and the run ends with the quota named',
  async (wire) => {
    const server = await fakeServer({ rpd: 3, latencyMs: 150 });
    const braid = createRuntime({ model: modelOn(wire, server), limits: { concurrency: 4 } });
    const results = await braid.parallel(Array.from({ length: 8 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));

    // four started: three were admitted and finished, one met the quota; nothing was sent after it
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    const errors = results.flatMap((result) => (result.ok ? [] : [result.error]));
    expect(errors.every((error) => error instanceof QuotaExhaustedError)).toBe(true);
    const statuses = server.stats().timeline.map((request) => request.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    const quota = errors[0] as QuotaExhaustedError;
    expect(quota.quota).toBe(wire === 'google' ? 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' : 'requests per day (RPD)');
    expect(quota.limit).toBe(3);
    expect(quota.resetsAt).toBeInstanceOf(Date);
    expect(quota.message).toMatch(/^the quota of \S+ is exhausted: .+, 3 requests per day; it resets at \d{4}-\d\d-\d\dT/);
    // the run itself ends with it, so a workflow stops with one error instead of one per item
    expect(braid.signal.aborted).toBe(true);
    expect(braid.signal.reason).toBeInstanceOf(QuotaExhaustedError);
  },
);
