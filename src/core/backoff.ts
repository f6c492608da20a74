/** How often and how patiently a step retries 429s, 5xx, network errors and timeouts. */
export interface RetryPolicy {
  /** Retries after the first attempt. Invalid-output repairs are counted apart. @default 6 */
  maxRetries: number;
  /** The first backoff's ceiling; it doubles each retry. @default 500 */
  baseDelayMs: number;
  /** No backoff is longer than this (a provider's `Retry-After` may be). @default 30_000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Exponential backoff with full jitter: a random wait between 0 and base × 2^(retry−1), capped.
 * Full jitter: a burst of 429s must not retry in lockstep.
 */
export function backoffDelay(retry: number, { baseDelayMs, maxDelayMs }: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(random() * ceiling);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
