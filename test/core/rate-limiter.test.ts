import { expect, test } from 'vitest';
import { createRateLimiter } from '../../src/index.js';

test('a 429 halves the allowed concurrency and pauses for Retry-After', async () => {
  const limiter = createRateLimiter({ concurrency: 8 });
  const lease = await limiter.acquire({ tokens: 1 });
  const before = Date.now();
  lease.release({ rateLimited: true, retryAfterMs: 150 });
  expect(limiter.currentConcurrency).toBe(4);
  const next = await limiter.acquire({ tokens: 1 });
  expect(Date.now() - before).toBeGreaterThanOrEqual(145);
  expect(next.waitMs).toBeGreaterThanOrEqual(140);
  next.release();
});

test('a TPM budget holds a call until enough tokens leave the window, and real usage replaces the estimate', async () => {
  const limiter = createRateLimiter({ tpm: 100, windowMs: 200 });
  const first = await limiter.acquire({ tokens: 90 });
  first.release({ tokens: 20 }); // the estimate was high: 80 tokens come back at once
  const second = await limiter.acquire({ tokens: 70 });
  expect(second.waitMs).toBeLessThan(100);
  second.release({ tokens: 70 });
  const third = await limiter.acquire({ tokens: 50 });
  expect(third.waitMs).toBeGreaterThan(100);
  third.release();
});

test('an aborted waiter leaves the queue and rejects with the reason', async () => {
  const limiter = createRateLimiter({ concurrency: 1 });
  const held = await limiter.acquire({ tokens: 1 });
  const controller = new AbortController();
  const waiting = limiter.acquire({ tokens: 1, signal: controller.signal });
  controller.abort(new Error('stop'));
  await expect(waiting).rejects.toThrow('stop');
  held.release();
  const next = await limiter.acquire({ tokens: 1 });
  expect(limiter.inFlight).toBe(1);
  next.release();
});
