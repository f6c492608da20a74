import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QuotaExhaustedError } from '../core/errors.js';
import type { CallOutcome, Lease, RateLimiter, RateLimits } from '../core/rate-limiter.js';
import { waitInLine, type Waiter } from '../core/wait-in-line.js';
import { acquireScript, pauseScript, refreshScript, releaseScript } from './rate-limit-scripts.js';

export interface RedisRateLimiterOptions {
  /** The client the limiter's scripts run on. The caller owns it and closes it. */
  redis: Redis;
  /** The provider + model the budgets belong to (`provider:model`). */
  modelKey: string;
  /**
   * The budgets, summed over every process that uses the same Redis, prefix and model key. Unlike
   * the in-process limiter, `concurrency` has no default: without it, calls in flight are not capped.
   * What is not configured is learned from the provider's answers by every worker together, and kept
   * in Redis for `learnedTtlMs`, so the next run starts at the learned pace.
   */
  limits?: RateLimits;
  /** @default 'braid:limits' */
  keyPrefix?: string;
  /**
   * A held slot expires this long after its last refresh (refreshed every third of it while held),
   * so a worker killed mid-call frees its slot instead of leaking it. @default 15_000
   */
  leaseTtlMs?: number;
  /** How often to ask again when only another process's call ending can free a place. @default 50 */
  pollIntervalMs?: number;
  /** How long learned limits are kept in Redis after their last use. @default 30 days */
  learnedTtlMs?: number;
  /** Redis errors other than a lost connection (which just waits for the reconnect); the limiter retries after them. */
  onError?: (error: unknown) => void;
}

/** The keys of one provider + model's limiter: the order the scripts expect (see rate-limit-scripts.ts). */
export function limiterKeys(keyPrefix: string, modelKey: string): string[] {
  // the hash tag keeps one model's keys in one slot, so the scripts also run on Redis Cluster
  const base = `${keyPrefix}:{${modelKey}}`;
  return [`${base}:in-flight`, `${base}:window`, `${base}:tokens`, `${base}:state`, `${base}:learned`, `${base}:samples`];
}

/** How long to wait before asking again after Redis answered with an error. */
const ERROR_RETRY_MS = 1_000;
/** The longest a waiting process goes without asking Redis again. */
const MAX_WAIT_BEFORE_ASKING_MS = 1_000;
/** How long a spent quota that gave no reset time refuses calls. */
const UNKNOWN_RESET_MS = 10 * 60_000;

/** A spent quota as the workers share it in Redis. */
function quotaJson(error: QuotaExhaustedError): string {
  return JSON.stringify({ quota: error.quota, limit: error.limit, resetsAt: error.resetsAt?.toISOString() });
}

function quotaErrorFrom(json: string, modelKey: string): QuotaExhaustedError {
  let fields: { quota?: string; limit?: number; resetsAt?: string } = {};
  try {
    fields = JSON.parse(json) as typeof fields;
  } catch {
    // an unreadable record still means the quota is spent
  }
  return new QuotaExhaustedError({
    quota: fields.quota ?? 'a daily quota',
    modelKey,
    limit: fields.limit,
    resetsAt: fields.resetsAt === undefined ? undefined : new Date(fields.resetsAt),
  });
}

/**
 * A `RateLimiter` whose budgets (concurrency, RPM, TPM, 429 pauses) live in Redis, so every
 * worker on every machine draws from one provider budget. Each check-and-take is one Lua script,
 * atomic across processes. In the process, waiters queue first come, first served, and only the
 * head asks Redis, so a thousand waiting steps cost one request per poll, not a thousand.
 *
 * @example
 * const limiter = createRedisRateLimiter({ redis, modelKey: 'openai:gpt-4.1-mini', limits: { rpm: 500 } });
 * const lease = await limiter.acquire({ tokens: 900 });
 * try { ... } finally { lease.release({ tokens: usage.totalTokens }); }
 */
export function createRedisRateLimiter({
  redis,
  modelKey,
  limits: { concurrency, rpm, tpm, windowMs = 60_000 } = {},
  keyPrefix = 'braid:limits',
  leaseTtlMs = 15_000,
  pollIntervalMs = 50,
  learnedTtlMs = 30 * 24 * 3_600_000,
  onError = () => {},
}: RedisRateLimiterOptions): RateLimiter {
  const keys = limiterKeys(keyPrefix, modelKey);
  const keyTtlMs = windowMs + 2 * leaseTtlMs + 60_000;
  const cap = concurrency === undefined ? 0 : Math.max(1, concurrency);
  const waiters: Waiter[] = [];
  const held = new Set<string>();
  let allowed = cap === 0 ? Number.POSITIVE_INFINITY : cap;
  let isAsking = false;
  let shouldAskAgain = false;
  let timer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;

  /** Keeps the shared adaptive concurrency the scripts report (-1 when there is no cap). */
  function noteAllowed(value: unknown): void {
    const reported = Number(value);
    if (cap > 0 && Number.isInteger(reported) && reported > 0) allowed = reported;
  }

  function askLater(delayMs: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void pump();
    }, Math.max(1, Math.ceil(delayMs)));
  }

  /** Serves the queue's head until Redis says wait; one ask at a time per process. */
  async function pump(): Promise<void> {
    if (isAsking) {
      shouldAskAgain = true; // a release or a new waiter came while Redis was answering
      return;
    }
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    isAsking = true;
    try {
      while (waiters.length > 0) {
        shouldAskAgain = false;
        const head = waiters[0]!;
        const leaseId = randomUUID();
        let reply: [number, number, number, number?, number?, string?];
        try {
          reply = (await acquireScript.run(redis, keys, [leaseId, head.tokens, rpm ?? 0, tpm ?? 0, windowMs, cap, leaseTtlMs, keyTtlMs, learnedTtlMs])) as typeof reply;
        } catch (error) {
          onError(error);
          askLater(ERROR_RETRY_MS);
          return;
        }
        const [isGranted, delayMs, allowedNow, epoch = 0, start = Date.now(), exhausted = ''] = reply;
        noteAllowed(allowedNow);
        if (isGranted === -1) {
          // a worker met a spent daily quota: every waiter here is refused with it, as in the worker that met it
          const error = quotaErrorFrom(exhausted, modelKey);
          for (const waiter of waiters.splice(0)) waiter.fail(error);
          return;
        }
        if (isGranted === 1) {
          const index = waiters.indexOf(head);
          if (index < 0) {
            giveBack(leaseId); // the waiter gave up while Redis granted it
            continue;
          }
          waiters.splice(index, 1);
          head.grant(startLease(leaseId, head, { epoch, start }));
          continue;
        }
        if (shouldAskAgain && delayMs < 0) continue; // a slot was released while we asked
        // jitter: processes polling for a freed slot must not ask in lockstep; and a long wait is asked
        // again within a second, since another process's release may have shortened it
        askLater(delayMs < 0 ? pollIntervalMs * (0.5 + Math.random()) : Math.min(delayMs, MAX_WAIT_BEFORE_ASKING_MS));
        return;
      }
    } finally {
      isAsking = false;
    }
  }

  function giveBack(leaseId: string): void {
    releaseScript.run(redis, keys, releaseArguments(leaseId, { isUnused: true })).catch(onError);
  }

  function releaseArguments(
    leaseId: string,
    { outcome = {}, isUnused = false, epoch = 0, start = 0, estimate = 0 }: { outcome?: CallOutcome; isUnused?: boolean; epoch?: number; start?: number; estimate?: number },
  ): (string | number)[] {
    const reading = (unit: 'requests' | 'tokens') => {
      const budget = outcome.rateHeaders?.[unit];
      return budget ? [budget.limit, budget.remaining, Math.ceil(budget.resetMs), budget.header] : [-1, -1, -1, ''];
    };
    const quota = (unit: 'requests' | 'tokens') => {
      const named = outcome.quotas?.find((candidate) => candidate.unit === unit && candidate.period === 'minute' && candidate.limit !== undefined);
      return named ? [named.limit!, named.name] : [-1, ''];
    };
    const exhausted = outcome.exhausted;
    return [
      leaseId,
      outcome.tokens ?? -1,
      outcome.rateLimited ? 1 : 0,
      outcome.retryAfterMs === undefined ? -1 : Math.ceil(outcome.retryAfterMs),
      cap,
      keyTtlMs,
      isUnused ? 1 : 0,
      epoch,
      start,
      estimate,
      windowMs,
      rpm ?? 0,
      tpm ?? 0,
      ...reading('requests'),
      ...reading('tokens'),
      ...quota('requests'),
      ...quota('tokens'),
      exhausted ? quotaJson(exhausted) : '',
      exhausted ? (exhausted.resetsAt?.getTime() ?? Date.now() + UNKNOWN_RESET_MS) : -1,
      learnedTtlMs,
    ];
  }

  function refreshHeld(): void {
    if (held.size === 0) return;
    refreshScript.run(redis, keys, [leaseTtlMs, keyTtlMs, ...held]).catch(onError);
  }

  function startLease(leaseId: string, waiter: Waiter, { epoch, start }: { epoch: number; start: number }): Lease {
    held.add(leaseId);
    if (!refreshTimer) {
      refreshTimer = setInterval(refreshHeld, Math.max(100, Math.floor(leaseTtlMs / 3)));
      refreshTimer.unref(); // a held lease keeps its call alive, not the process
    }
    let isReleased = false;
    return {
      waitMs: Date.now() - waiter.queuedAt,
      release(outcome = {}) {
        if (isReleased) return;
        isReleased = true;
        held.delete(leaseId);
        if (held.size === 0 && refreshTimer) {
          clearInterval(refreshTimer);
          refreshTimer = undefined;
        }
        releaseScript.run(redis, keys, releaseArguments(leaseId, { outcome, epoch, start, estimate: waiter.tokens })).then(noteAllowed, onError);
        // one connection runs commands in order, so an ask sent now already sees this release
        void pump();
      },
    };
  }

  return {
    acquire(options) {
      return waitInLine(waiters, options, (change) => {
        // behind a head that waits on a timer, a newcomer waits too: it could not start before the head
        if (change === 'joined' && (waiters.length === 1 || !timer)) void pump();
      });
    },
    pauseUntil(until) {
      pauseScript
        .run(redis, keys, [Math.max(0, Math.ceil(until - Date.now())), keyTtlMs])
        .catch(onError)
        .finally(() => void pump());
    },
    get currentConcurrency() {
      return allowed;
    },
    get inFlight() {
      return held.size;
    },
  };
}
