import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `check` holds, for state that announces no event: a Redis key, the fake's request
 * log, a job's state in another process. Gives up with the last value after `timeoutMs`.
 */
export async function eventually<Value>(
  check: () => Promise<Value | undefined | false> | Value | undefined | false,
  { timeoutMs = 30_000, intervalMs = 50, what = 'the condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** The most entries of `times` (epoch ms) inside any window of `windowMs`. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((left, right) => left - right);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while (sorted[last]! - sorted[first]! >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
