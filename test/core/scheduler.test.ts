import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test, vi } from 'vitest';
import { z } from 'zod';
import { CostLimitError, createRuntime, ProviderCallError, RunCancelledError, type Span } from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { modelOn, QUICK_RETRY } from '../support/wire-models.js';

const Fact = z.object({ fact: z.string().max(80) });

async function fakeServer(options: Parameters<typeof startFakeProvider>[0] = {}) {
  const server = await startFakeProvider({ seed: 11, ...options });
  onTestFinished(() => server.close());
  return server;
}

/** The most requests that arrived at the server within any `windowMs`. */
function peakInWindow(arrivals: number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let peak = 0;
  for (let start = 0, end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

test('the limiter keeps requests in flight within the concurrency cap', async () => {
  const server = await fakeServer({ latencyMs: 40 });
  const braid = createRuntime({ model: modelOn('openai', server), limits: { concurrency: 3 } });
  const results = await braid.parallel(Array.from({ length: 12 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  expect(results.every((result) => result.ok)).toBe(true);
  expect(server.stats().maxConcurrent).toBe(3);
});

test('the limiter keeps requests per window within the RPM budget, so the provider never answers 429', async () => {
  const server = await fakeServer({ rpm: 4, windowMs: 500 });
  const braid = createRuntime({ model: modelOn('google', server), limits: { rpm: 4, windowMs: 500 } });
  const results = await braid.parallel(Array.from({ length: 10 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  expect(results.every((result) => result.ok)).toBe(true);
  const stats = server.stats();
  expect(stats.byStatus['429'] ?? 0).toBe(0);
  expect(peakInWindow(stats.timeline.map((request) => request.start), 500)).toBeLessThanOrEqual(4);
});

test('Retry-After is honoured before the next attempt', async () => {
  const server = await fakeServer({ rules: [{ match: /iron/, status: 429, retryAfterSeconds: 1, times: 1 }] });
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  await braid.step({ name: 'fact', prompt: 'iron', schema: Fact });
  const [first, second] = server.stats().timeline;
  expect(first!.status).toBe(429);
  expect(second!.status).toBe(200);
  expect(second!.start - first!.end).toBeGreaterThanOrEqual(1_000);
  const attempts = braid.spans().filter((span) => span.kind === 'attempt');
  expect(attempts.map((span) => span.rateLimited ?? false)).toEqual([true, false]);
  expect(braid.summary()).toMatchObject({ rateLimited: 1, retries: 1, calls: 2 });
});

test('5xx and connection resets are retried; a 4xx caused by the request is not', async () => {
  const server = await fakeServer({
    rules: [
      { match: /flaky/, status: 503, times: 2 },
      { match: /reset/, fault: 'reset', times: 1 },
      { match: /bad request/, status: 400 },
    ],
  });
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  await expect(braid.step({ name: 'a', prompt: 'flaky', schema: Fact })).resolves.toBeDefined();
  await expect(braid.step({ name: 'b', prompt: 'reset', schema: Fact })).resolves.toBeDefined();
  const failure = await braid.step({ name: 'c', prompt: 'bad request', schema: Fact }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ProviderCallError);
  expect(failure).toMatchObject({ statusCode: 400, attempts: 1 });
  expect(server.stats().timeline.filter((request) => request.prompt.includes('bad request'))).toHaveLength(1);
});

test('a hung call times out and is retried', async () => {
  const server = await fakeServer({ rules: [{ match: /slow/, fault: 'hang', times: 1 }] });
  const braid = createRuntime({ model: modelOn('anthropic', server), retry: QUICK_RETRY, timeoutMs: 300 });
  await expect(braid.step({ name: 'slow', prompt: 'slow', schema: Fact })).resolves.toBeDefined();
  const attempts = braid.spans().filter((span) => span.kind === 'attempt');
  expect(attempts[0]!.error).toMatch(/no answer within 300 ms/);
  expect(attempts[1]!.status).toBe('ok');
});

test('cancelling the run stops calls in flight and starts nothing new', async () => {
  const server = await fakeServer({ faults: { hang: 1 } });
  const controller = new AbortController();
  const braid = createRuntime({ model: modelOn('openai', server), signal: controller.signal, limits: { concurrency: 2 } });
  const running = braid.parallel([1, 2, 3, 4], (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  await vi.waitFor(() => expect(server.stats().requests).toBe(2));
  controller.abort();
  const results = await running;
  expect(results.every((result) => !result.ok && result.error instanceof RunCancelledError)).toBe(true);
  expect(server.stats().requests).toBe(2);
  await vi.waitFor(() => expect(server.stats().timeline.every((request) => request.end > 0)).toBe(true));
});

test('the cost cap stops new calls and reports what finished and what it cost', async () => {
  const server = await fakeServer();
  const braid = createRuntime({
    model: modelOn('openai', server),
    prices: { 'openai:test-model': { input: 1_000, output: 1_000 } },
    maxCostUsd: 0.5,
    limits: { concurrency: 1 },
  });
  const results = await braid.parallel(Array.from({ length: 20 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}: ${'long context '.repeat(40)}`, schema: Fact, maxOutputTokens: 50 }),
  );
  const finished = results.filter((result) => result.ok).length;
  expect(finished).toBeGreaterThan(0);
  expect(finished).toBeLessThan(20);
  const errors = results.flatMap((result) => (result.ok ? [] : [result.error]));
  expect(errors.every((error) => error instanceof CostLimitError)).toBe(true);
  const error = errors[0] as CostLimitError;
  expect(error.completedSteps).toBe(finished);
  expect(error.spentUsd).toBeLessThanOrEqual(0.5);
  expect(server.stats().requests).toBe(finished);
});

test('the trace file holds every span with its parent: run → group → step → attempt', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'braid-trace-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  const server = await fakeServer({ rules: [{ match: /fact 1/, status: 503, times: 1 }] });
  const traceFile = join(directory, 'run.jsonl');
  const braid = createRuntime({ model: modelOn('openai', server), traceFile, retry: QUICK_RETRY, name: 'facts' });
  await braid.group('facts', (run) => run.parallel([0, 1], (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact })));
  braid.finish();
  const spans = readFileSync(traceFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Span);
  const byId = new Map(spans.map((span) => [span.id, span]));
  const parentKind = (span: Span) => (span.parentId ? byId.get(span.parentId)?.kind : undefined);
  const steps = spans.filter((span) => span.kind === 'step');
  expect(steps).toHaveLength(2);
  for (const step of steps) {
    expect(parentKind(step)).toBe('group');
    expect(byId.get(step.parentId!)!.name).toMatch(/^item\[\d\]$/);
  }
  const attempts = spans.filter((span) => span.kind === 'attempt');
  expect(attempts).toHaveLength(3);
  expect(attempts.every((attempt) => parentKind(attempt) === 'step')).toBe(true);
  expect(attempts.filter((attempt) => attempt.status === 'error')).toHaveLength(1);
  expect(spans.filter((span) => span.kind === 'run')).toHaveLength(1);
  expect(steps.find((step) => step.attempts === 2)).toBeDefined();
});

test('the defaults plus the provider limit fan out safely: every item done, no 429s', async () => {
  // 60 RPM scaled to a 1 s window: 30 items need three windows
  const server = await fakeServer({ rpm: 10, windowMs: 1_000, latencyMs: 20 });
  const braid = createRuntime({ model: modelOn('openai', server), limits: { rpm: 10, windowMs: 1_000 } });
  const results = await braid.parallel(Array.from({ length: 30 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  expect(results.filter((result) => result.ok)).toHaveLength(30);
  expect(server.stats().byStatus['429'] ?? 0).toBe(0);
  expect(server.stats().requests).toBe(30);
});

test('without any configured limit, 429s slow braid down and every item still completes', async () => {
  const server = await fakeServer({ rpm: 5, windowMs: 300 });
  const braid = createRuntime({ model: modelOn('openai', server), retry: { maxRetries: 20, baseDelayMs: 20, maxDelayMs: 300 } });
  const results = await braid.parallel(Array.from({ length: 20 }, (_, index) => index), (index, item) => item.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact }));
  expect(results.filter((result) => result.ok)).toHaveLength(20);
  const summary = braid.summary();
  expect(summary.rateLimited).toBeGreaterThan(0);
  expect(summary.rateLimited).toBe(server.stats().byStatus['429']);
});

test("the provider's x-ratelimit headers pause the limiter before the budget runs out", async () => {
  // no rpm configured in braid: only the headers on successful answers tell it the budget is spent
  const server = await fakeServer({ rpm: 3, windowMs: 1_000 });
  const braid = createRuntime({ model: modelOn('openai', server), limits: { concurrency: 1 } });
  for (let index = 0; index < 6; index += 1) await braid.step({ name: 'fact', prompt: `fact ${index}`, schema: Fact });
  expect(server.stats().byStatus['429'] ?? 0).toBe(0);
  expect(server.stats().requests).toBe(6);
});
