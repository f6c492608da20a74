import { expect, onTestFinished, test, vi } from 'vitest';
import { createRateLimiter } from '../../src/index.js';
import type { Lease } from '../../src/core/rate-limiter.js';

test('a 429 halves the allowed concurrency and pauses for Retry-After', async () => {
  // on a fake clock: a loaded machine must not shift the times the assertions read
  vi.useFakeTimers({ now: 0 });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const limiter = createRateLimiter({ concurrency: 8 });
  const lease = await limiter.acquire({ tokens: 1 });
  lease.release({ rateLimited: true, retryAfterMs: 150 });
  expect(limiter.currentConcurrency).toBe(4);
  const next = await grantedOnFakeClock(limiter.acquire({ tokens: 1 }));
  expect(Date.now()).toBeGreaterThanOrEqual(150);
  expect(next.waitMs).toBeGreaterThanOrEqual(150);
  next.release();
});

test('a TPM budget holds a call until enough tokens leave the window, and real usage replaces the estimate', async () => {
  vi.useFakeTimers({ now: 0 });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const limiter = createRateLimiter({ tpm: 100, windowMs: 200 });
  const first = await grantedOnFakeClock(limiter.acquire({ tokens: 90 }));
  first.release({ tokens: 20 }); // the estimate was high: 80 tokens come back at once
  const second = await grantedOnFakeClock(limiter.acquire({ tokens: 70 }));
  expect(second.waitMs).toBeLessThan(100);
  second.release({ tokens: 70 });
  const third = await grantedOnFakeClock(limiter.acquire({ tokens: 50 }));
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

test("a configured rpm keeps its pace when its own calls spend the provider's stated budget: 0 remaining is the steady state, not a stop", async () => {
  vi.useFakeTimers({ now: 0 });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const limiter = createRateLimiter({ rpm: 3, windowMs: 3_000 });
  const grantedAt: number[] = [];
  // each call lasts 300 ms; the provider counts starts over a sliding 3 s window and says so in its headers
  for (const remaining of [2, 1, 0, 0]) {
    const lease = await grantedOnFakeClock(limiter.acquire({ tokens: 1 }));
    grantedAt.push(Date.now());
    await vi.advanceTimersByTimeAsync(300);
    const resetMs = grantedAt.at(-1)! + 3_000 - Date.now();
    lease.release({ tokens: 1, rateHeaders: { requests: { limit: 3, remaining, resetMs, header: 'x-ratelimit-limit-requests' } } });
  }
  // paced a third of the window apart (plus a 2 % margin), and the fourth call starts once the first has left
  // the window (3 s after it ended), not when the whole budget is back (5.04 s)
  expect(grantedAt[3]! - grantedAt[2]!).toBeLessThan(1_500);
  expect(grantedAt[3]!).toBeLessThan(3_500);
});

test('a probe above the measured rate that meets a 429 goes back to the rate that held, and the refused call is retried without waiting a whole interval', async () => {
  vi.useFakeTimers({ now: 0 });
  onTestFinished(() => {
    vi.useRealTimers();
  });
  const learnedPerSecond: number[] = [];
  const limiter = createRateLimiter({ windowMs: 3_000 }, { onLearned: (limits) => learnedPerSecond.push(limits.requests?.perSecond ?? 0) });
  // the provider admits 3 calls per 3 s: a burst of four, the fourth refused until the first leaves its window
  const burst = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire({ tokens: 1 })));
  for (const lease of burst.slice(0, 3)) lease.release({ tokens: 1 });
  burst[3]!.release({ rateLimited: true, retryAfterMs: 3_000 });
  const measured = learnedPerSecond.at(-1)!;
  expect(measured).toBeCloseTo(1, 2);

  // calls of 300 ms, one always queued behind the pace, until a calm period makes the limiter probe higher
  const grantedAt: number[] = [];
  let queued = limiter.acquire({ tokens: 1 });
  let lease = await grantedOnFakeClock(queued);
  grantedAt.push(Date.now());
  for (let call = 0; call < 30 && !(grantedAt.length > 2 && grantedAt.at(-1)! - grantedAt.at(-2)! < 1_000); call++) {
    queued = limiter.acquire({ tokens: 1 });
    await vi.advanceTimersByTimeAsync(300);
    lease.release({ tokens: 1 });
    lease = await grantedOnFakeClock(queued);
    grantedAt.push(Date.now());
  }
  expect(grantedAt.at(-1)! - grantedAt.at(-2)!).toBeLessThan(1_000); // the probe: closer than the measured 1 per second

  // the provider refuses the probe for 20 ms
  queued = limiter.acquire({ tokens: 1 });
  await vi.advanceTimersByTimeAsync(300);
  const refusedAt = Date.now();
  lease.release({ rateLimited: true, retryAfterMs: 20 });
  const retry = await grantedOnFakeClock(queued);
  const retriedAt = Date.now();
  expect(retriedAt - refusedAt).toBeLessThan(500); // the retry took the refused call's place in the pace
  expect(learnedPerSecond.at(-1)).toBeCloseTo(measured, 2); // back to the rate that held, not cut below it
  // and the pace goes on at that rate from the calls the provider still counts
  queued = limiter.acquire({ tokens: 1 });
  await vi.advanceTimersByTimeAsync(300);
  retry.release({ tokens: 1 });
  await grantedOnFakeClock(queued);
  expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(1_000);
});

/** Advances the fake clock until the limiter grants the call (at most 10 s of it). */
async function grantedOnFakeClock(pending: Promise<Lease>): Promise<Lease> {
  let lease: Lease | undefined;
  void pending.then((granted) => (lease = granted));
  for (let waited = 0; lease === undefined && waited < 10_000; waited += 10) await vi.advanceTimersByTimeAsync(10);
  if (lease === undefined) throw new Error('the limiter held the call for 10 s');
  return lease;
}
