import { expect, test } from 'vitest';
import { createRateWindow } from './rate-window.js';

// times are passed explicitly: the window's arithmetic is tested without waiting on a clock
const LIMITS = { rpm: 2, windowMs: 1_000 };

test('rpm slides: a slot frees exactly when the oldest request is windowMs old', () => {
  const window = createRateWindow();
  expect(window.admit(1, LIMITS, 0)).toEqual({ isAdmitted: true });
  expect(window.admit(1, LIMITS, 400)).toEqual({ isAdmitted: true });
  expect(window.admit(1, LIMITS, 900)).toEqual({ isAdmitted: false, limit: 'requests', retryAfterMs: 100 });
  expect(window.admit(1, LIMITS, 1_000)).toEqual({ isAdmitted: true });
  // a fixed-bucket limiter would allow two more right at the 1000 ms edge; the sliding window does not
  expect(window.admit(1, LIMITS, 1_001)).toEqual({ isAdmitted: false, limit: 'requests', retryAfterMs: 399 });
});

test('tpm waits until enough tokens have left; refused requests are not recorded', () => {
  const window = createRateWindow();
  const limits = { tpm: 100, windowMs: 1_000 };
  expect(window.admit(60, limits, 0).isAdmitted).toBe(true);
  expect(window.admit(30, limits, 200).isAdmitted).toBe(true);
  expect(window.admit(50, limits, 300)).toEqual({ isAdmitted: false, limit: 'tokens', retryAfterMs: 700 });
  expect(window.admit(500, limits, 300)).toEqual({ isAdmitted: false, limit: 'tokens', retryAfterMs: 1_000 });
  expect(window.admit(10, limits, 300).isAdmitted).toBe(true);
  // the budget is whole again when the newest request leaves
  expect(window.snapshot(1_000, 300)).toEqual({ requests: 3, tokens: 100, resetMs: 1_000 });
});
