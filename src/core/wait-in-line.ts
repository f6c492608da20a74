import type { Lease } from './rate-limiter.js';

/** One caller waiting for a limiter slot. */
export interface Waiter {
  tokens: number;
  queuedAt: number;
  grant: (lease: Lease) => void;
  /** Takes the waiter out with an error the limiter chose (a spent daily quota); the caller removes it from the line. */
  fail: (error: unknown) => void;
}

/**
 * Puts a caller at the back of a limiter's first-come-first-served line and resolves when the
 * limiter grants it a lease. An abort takes it out of the line at once: a cancelled run must not
 * keep its place. `onChange` runs after the line changed (joined, or left on abort).
 */
export function waitInLine(
  waiters: Waiter[],
  { tokens, signal }: { tokens: number; signal?: AbortSignal },
  onChange: (reason: 'joined' | 'left') => void,
): Promise<Lease> {
  signal?.throwIfAborted();
  return new Promise<Lease>((resolve, reject) => {
    const onAbort = (): void => {
      const index = waiters.indexOf(waiter);
      if (index >= 0) waiters.splice(index, 1);
      reject(signal?.reason);
      onChange('left');
    };
    const waiter: Waiter = {
      tokens,
      queuedAt: Date.now(),
      grant: (lease) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(lease);
      },
      fail: (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    waiters.push(waiter);
    onChange('joined');
  });
}
