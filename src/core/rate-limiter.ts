import { waitInLine, type Waiter } from './wait-in-line.js';

/**
 * The budgets one provider + model may spend. Any of them may be left out.
 */
export interface RateLimits {
  /** Requests in flight at once. Halves on a 429 and grows back on success. @default 32 */
  concurrency?: number;
  /** Requests started per window. */
  rpm?: number;
  /** Tokens (input + output) per window: estimated before a call, reconciled with real usage after. */
  tpm?: number;
  /** The budgets' window. Shorten it only to test or benchmark. @default 60_000 */
  windowMs?: number;
}

export interface AcquireOptions {
  /** Estimated tokens of the call, held against `tpm` until the real usage is known. */
  tokens: number;
  signal?: AbortSignal;
}

export interface CallOutcome {
  /** The call's real token usage; replaces the estimate in the window. */
  tokens?: number;
  /** The provider answered 429. */
  rateLimited?: boolean;
  /** How long the provider asked us to wait (from `Retry-After` or its rate-limit headers). */
  retryAfterMs?: number;
}

/** One granted slot. `release` must be called exactly once, when the call ends. */
export interface Lease {
  /** How long `acquire` waited for this slot. */
  waitMs: number;
  release(outcome?: CallOutcome): void;
}

export interface RateLimiter {
  acquire(options: AcquireOptions): Promise<Lease>;
  /** Stop starting calls until `until` (epoch ms), e.g. when headers say the budget is spent. */
  pauseUntil(until: number): void;
  /** The concurrency currently allowed, after adaptive backoff. */
  readonly currentConcurrency: number;
  readonly inFlight: number;
}

interface WindowEntry {
  at: number;
  tokens: number;
}

/** When no 429 has come for this long, concurrency may grow again. */
const RECOVERY_STEP_MS = 1_000;
const DEFAULT_429_PAUSE_MS = 1_000;

/**
 * A token-aware limiter for one provider + model: a concurrency cap, sliding-window RPM and TPM
 * budgets, and adaptive backoff (halve concurrency and pause on a 429, grow back one by one).
 * Waiters are served first come, first served.
 *
 * @example
 * const limiter = createRateLimiter({ rpm: 60, tpm: 100_000 });
 * const lease = await limiter.acquire({ tokens: 900 });
 * try { ... } finally { lease.release({ tokens: usage.totalTokens }); }
 */
export function createRateLimiter({
  concurrency = 32,
  rpm,
  tpm,
  windowMs = 60_000,
}: RateLimits = {}): RateLimiter {
  const maxConcurrency = Math.max(1, concurrency);
  // a call counts from when it ends (see release), so this margin only absorbs timer granularity
  const windowWithMargin = windowMs + 10;
  const waiters: Waiter[] = [];
  const window: WindowEntry[] = [];
  let inFlight = 0;
  let allowed = maxConcurrency;
  let pausedUntil = 0;
  let lastRateLimitAt = 0;
  let lastGrowthAt = 0;
  let timer: NodeJS.Timeout | undefined;

  function prune(now: number): void {
    while (window.length > 0 && window[0]!.at <= now - windowWithMargin) window.shift();
  }

  function tokensInWindow(): number {
    let sum = 0;
    for (const entry of window) sum += entry.tokens;
    return sum;
  }

  /** Milliseconds until the head waiter could start, or 0 if it can start now. */
  function delayForHead(head: Waiter, now: number): number {
    if (now < pausedUntil) return pausedUntil - now;
    if (rpm !== undefined && window.length >= rpm) {
      return window[window.length - rpm]!.at + windowWithMargin - now;
    }
    if (tpm !== undefined && window.length > 0) {
      let excess = tokensInWindow() + head.tokens - tpm;
      // a call larger than the whole budget still runs, alone in an empty window
      for (const entry of window) {
        if (excess <= 0) break;
        excess -= entry.tokens;
        if (excess <= 0 || entry === window[window.length - 1]) return entry.at + windowWithMargin - now;
      }
    }
    return 0;
  }

  function growIfCalm(now: number): void {
    if (allowed >= maxConcurrency) return;
    if (now - lastRateLimitAt >= RECOVERY_STEP_MS && now - lastGrowthAt >= RECOVERY_STEP_MS) {
      allowed += 1;
      lastGrowthAt = now;
    }
  }

  function pump(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const now = Date.now();
    prune(now);
    growIfCalm(now);
    while (waiters.length > 0 && inFlight < allowed) {
      const head = waiters[0]!;
      const delay = delayForHead(head, now);
      if (delay > 0) {
        timer = setTimeout(pump, Math.max(1, Math.ceil(delay)));
        return;
      }
      waiters.shift();
      head.grant(startCall(head, now));
    }
    if (waiters.length > 0 && allowed < maxConcurrency && inFlight < maxConcurrency) {
      // blocked only by adaptive backoff: look again when concurrency may have grown
      timer = setTimeout(pump, RECOVERY_STEP_MS);
    }
  }

  function startCall(waiter: Waiter, now: number): Lease {
    inFlight += 1;
    const entry: WindowEntry = { at: now, tokens: waiter.tokens };
    window.push(entry);
    let released = false;
    return {
      waitMs: now - waiter.queuedAt,
      release(outcome = {}) {
        if (released) return;
        released = true;
        inFlight -= 1;
        // the provider stamped the request somewhere between our send and its answer; counting it
        // from the answer keeps our window behind the provider's, whatever the network delay was
        entry.at = Date.now();
        const index = window.indexOf(entry); // -1 when a call outlived the window and was pruned
        if (index >= 0) window.splice(index, 1);
        window.push(entry);
        if (outcome.tokens !== undefined) entry.tokens = outcome.tokens;
        if (outcome.rateLimited) {
          const at = Date.now();
          lastRateLimitAt = at;
          allowed = Math.max(1, Math.floor(allowed / 2));
          pausedUntil = Math.max(pausedUntil, at + (outcome.retryAfterMs ?? DEFAULT_429_PAUSE_MS));
        } else if (outcome.retryAfterMs !== undefined) {
          pausedUntil = Math.max(pausedUntil, Date.now() + outcome.retryAfterMs);
        }
        pump();
      },
    };
  }

  return {
    acquire(options) {
      return waitInLine(waiters, options, pump);
    },
    pauseUntil(until) {
      pausedUntil = Math.max(pausedUntil, until);
      pump();
    },
    get currentConcurrency() {
      return allowed;
    },
    get inFlight() {
      return inFlight;
    },
  };
}
