import { createCallWindow, type WindowCall } from './call-window.js';
import type { QuotaExhaustedError } from './errors.js';
import { estimateRate, type AdmittedCall } from './estimate-rate.js';
import type { LearnedBudget, LearnedLimits, LimitSource } from './limit-memory.js';
import type { RateHeaders } from './read-rate-headers.js';
import type { QuotaReading } from './read-rate-limit-body.js';
import { waitInLine, type Waiter } from './wait-in-line.js';

/**
 * The budgets one provider + model may spend. Any of them may be left out: what is not configured is
 * learned from the provider's answers.
 */
export interface RateLimits {
  /** Requests in flight at once. Halves on a 429 and grows back on success. @default 32 */
  concurrency?: number;
  /** Requests started per window; overrides what is learned. Spent evenly, not in a burst. */
  rpm?: number;
  /** Tokens (input + output) per window: estimated before a call, reconciled with real usage after. Overrides what is learned. */
  tpm?: number;
  /**
   * The budgets' window: a minute. Limits the provider states per minute (headers, 429 bodies) are
   * taken per this window too. Shorten it only to test or benchmark. @default 60_000
   */
  windowMs?: number;
}

/** How a limiter learns, and what it starts from. */
export interface LearningOptions {
  /** What an earlier run learned about this provider + model: the first calls are already paced by it. */
  remembered?: LearnedLimits;
  /** Called whenever what is learned changes, to keep it for the next run. */
  onLearned?: (limits: LearnedLimits) => void;
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
  /** How long the provider asked us to wait (Retry-After, or a 429 body's retry delay). */
  retryAfterMs?: number;
  /** The answer's rate-limit headers (a success's, or a 429's). */
  rateHeaders?: RateHeaders;
  /** The quotas a 429's body named. */
  quotas?: readonly QuotaReading[];
  /** A per-day quota ran out: every call of this provider + model is refused with this error until it resets. */
  exhausted?: QuotaExhaustedError;
}

/** One granted slot. `release` must be called exactly once, when the call ends. */
export interface Lease {
  /** How long `acquire` waited for this slot. */
  waitMs: number;
  release(outcome?: CallOutcome): void;
}

export interface RateLimiter {
  /** Waits for a slot; rejects with a `QuotaExhaustedError` once a per-day quota has run out. */
  acquire(options: AcquireOptions): Promise<Lease>;
  /** Stop starting calls until `until` (epoch ms). */
  pauseUntil(until: number): void;
  /** The concurrency currently allowed, after adaptive backoff. */
  readonly currentConcurrency: number;
  readonly inFlight: number;
}

/** When no 429 has come for this long, concurrency may grow again. */
const RECOVERY_STEP_MS = 1_000;
const DEFAULT_429_PAUSE_MS = 1_000;
/** Paced calls go 2 % apart more than a stated budget needs: jitter on the way must not put two in one provider interval. */
const PACE_MARGIN = 0.02;
/** A measured rate already reads low (a call is counted from its grant, before it reaches the provider): 1 % suffices. */
const MEASURED_PACE_MARGIN = 0.01;
/** Providers enforce a per-minute limit over shorter intervals: at most a sixtieth of the budget goes at once. */
const BURST_SHARE = 1 / 60;
/** A 429 cuts a measured rate to at most this share of what it was, whatever the measurement says. */
const RATE_DECREASE = 0.9;
/** After a calm period with calls held back by the pace, a measured rate grows by this share of its last measurement. */
const RATE_INCREASE = 0.05;
/** A calm period: this many paced intervals without a 429 (and at least CALM_MIN_MS), doubled by every probe that failed. */
const CALM_CALLS = 5;
const CALM_MIN_MS = 1_000;
/** Admitted calls kept for measuring a rate when a 429 comes. */
const SAMPLE_LIMIT = 512;
/** How long a spent quota that gave no reset time refuses calls in this process. */
const UNKNOWN_RESET_MS = 10 * 60_000;

type Unit = 'requests' | 'tokens';

/** What the limiter knows about one budget. */
interface Budget {
  readonly unit: Unit;
  /** Per window, from the caller: overrides everything learned. */
  readonly configured: number | undefined;
  /** Per window, as the provider stated it (headers, a 429 body, or an earlier run). */
  stated: number | undefined;
  /**
   * The provider's window for `stated`, when its headers showed it shorter than a minute: at most the
   * reset plus the time since the call was sent, for any call it answered (the smallest seen).
   */
  windowEstimate: number | undefined;
  /** Per ms, measured from 429s. */
  rate: number | undefined;
  /** The last measurement: increases step by a share of it. */
  baseRate: number | undefined;
  /** The rate that held a calm period (or the last measurement): what is remembered. */
  confirmedRate: number | undefined;
  /** Usage by others (other processes on the same key) that the last headers revealed, until `foreignUntil`. */
  foreign: number;
  foreignUntil: number;
  /** Pacing (GCRA): when the next unit of budget is due. */
  due: number;
  /** The same, had every call gone at `confirmedRate`: where a failed probe puts the pace back. */
  confirmedDue: number;
  /** Where `stated` came from, and what named it. */
  statedSource: Exclude<LimitSource, '429 rate'> | undefined;
  detail: string | undefined;
  learnedAt: number;
}

/** A 429 measured the rate: the epoch of calls it measures, and when the provider admits again. */
interface LearningStep {
  epoch: number;
  admitsAgainAt: number;
  previous: Record<Unit, number | undefined>;
  /** The rates that had held a calm period when the 429 came: a failed probe goes back to them. */
  confirmed: Record<Unit, number | undefined>;
}

/**
 * A token-aware limiter for one provider + model. It keeps the calls in flight under a concurrency cap
 * and spends each known budget (requests and tokens per window, configured or learned) evenly, inside a
 * sliding window of its own calls. With no limit configured it learns one from what the provider says:
 * - rate-limit headers on every answer: the stated limit, and `remaining` minus the calls in flight is
 *   how many may start now (usage by others on the same key is carried until the stated reset);
 * - a 429 body that names its quota: the stated limit per minute, or a spent per-day quota, after which
 *   every call is refused with a `QuotaExhaustedError` until it resets;
 * - a bare 429 with Retry-After: the rate it admitted before refusing (see `estimateRate`), cut on a
 *   429 and raised carefully after calm periods. Calls in flight when a 429 arrives may be refused too;
 *   only a call started after the last learning step can trigger the next, so each step costs one 429.
 * A configured limit replaces the stated one, and others' usage that headers reveal still counts against it.
 * Waiters are served first come, first served.
 *
 * @example
 * const limiter = createRateLimiter({ rpm: 60, tpm: 100_000 });
 * const lease = await limiter.acquire({ tokens: 900 });
 * try { ... } finally { lease.release({ tokens: usage.totalTokens }); }
 */
export function createRateLimiter(
  { concurrency = 32, rpm, tpm, windowMs = 60_000 }: RateLimits = {},
  { remembered, onLearned = () => {} }: LearningOptions = {},
): RateLimiter {
  const maxConcurrency = Math.max(1, concurrency);
  const window = createCallWindow(windowMs);
  const requests = createBudget('requests', rpm, remembered?.requests);
  const tokens = createBudget('tokens', tpm, remembered?.tokens);
  const budgets = [requests, tokens] as const;
  const waiters: Waiter[] = [];
  const samples: (AdmittedCall & { epoch: number })[] = [];
  let allowed = maxConcurrency;
  let pausedUntil = 0;
  let lastRateLimitAt = 0;
  let lastGrowthAt = 0;
  let timer: NodeJS.Timeout | undefined;
  /** Bumped by every learning step: a 429 of a call started in an older epoch was already learned from. */
  let epoch = 0;
  let step: LearningStep | undefined;
  /** Probes above a confirmed rate that met a 429: each doubles the calm period before the next. */
  let failedProbes = 0;
  let rateChangedAt = 0;
  /** A measured rate held a call back since it last changed: there is demand to probe a higher rate with. */
  let isPaceBound = false;
  let exhausted: { error: QuotaExhaustedError; until: number } | undefined;
  let exhaustedQuota: LearnedLimits['exhaustedQuota'] = remembered?.exhaustedQuota;

  const limitOf = (budget: Budget): number | undefined => budget.configured ?? budget.stated;
  const costOf = (budget: Budget, call: { tokens: number }): number => (budget.unit === 'requests' ? 1 : call.tokens);

  /** The window a budget's limit is counted over. */
  const windowOf = (budget: Budget): number => (budget.configured === undefined ? Math.min(windowMs, budget.windowEstimate ?? windowMs) : windowMs);

  /** Milliseconds per unit of budget when spent evenly; 0 when nothing is known. */
  function intervalOf(budget: Budget, rate = budget.rate): number {
    const limit = limitOf(budget);
    const byLimit = limit === undefined ? 0 : windowOf(budget) / limit;
    const byRate = budget.configured === undefined && rate ? (1 / rate) * (1 + MEASURED_PACE_MARGIN) : 0;
    return Math.max(byLimit * (1 + PACE_MARGIN), byRate);
  }

  /** The budget's pace comes from a stated or configured limit, not from a measured rate. */
  function isPacedByLimit(budget: Budget): boolean {
    const limit = limitOf(budget);
    return limit !== undefined && (budget.configured !== undefined || budget.rate === undefined || windowOf(budget) / limit >= 1 / budget.rate);
  }

  /** How far ahead of now the pace may run: a sixtieth of a stated budget, nothing for a measured rate. */
  function toleranceOf(budget: Budget, interval: number): number {
    if (limitOf(budget) === undefined) return 0;
    const share = windowOf(budget) * BURST_SHARE;
    return budget.unit === 'requests' ? Math.max(0, share - interval) : share;
  }

  /** Milliseconds until the window has room for `cost` more of this budget; Infinity when only a call ending can make room. */
  function windowDelay(budget: Budget, cost: number, now: number): number {
    const limit = limitOf(budget);
    if (limit === undefined) return 0;
    const foreign = now < budget.foreignUntil ? budget.foreign : 0;
    const used = (budget.unit === 'requests' ? window.requests : window.tokens) + foreign;
    // a call larger than the whole budget still runs, alone in an empty window
    let excess = cost > limit ? used : used + cost - limit;
    if (excess <= 0) return 0;
    let isForeignCounted = foreign > 0;
    for (const call of window.ended()) {
      const leavesAt = window.leavesAt(call);
      if (isForeignCounted && budget.foreignUntil <= leavesAt) {
        excess -= foreign;
        isForeignCounted = false;
        if (excess <= 0) return budget.foreignUntil - now;
      }
      excess -= budget.unit === 'requests' ? 1 : call.tokens;
      if (excess <= 0) return leavesAt - now;
    }
    if (isForeignCounted && excess - foreign <= 0) return budget.foreignUntil - now;
    return Number.POSITIVE_INFINITY;
  }

  /** Milliseconds until the head may start, 0 if now, Infinity if only a call ending can let it. */
  function delayForHead(head: Waiter, now: number): number {
    if (now < pausedUntil) return pausedUntil - now;
    if (window.requests - window.endedRequests >= allowed) return Number.POSITIVE_INFINITY;
    let delay = 0;
    for (const budget of budgets) delay = Math.max(delay, windowDelay(budget, costOf(budget, head), now));
    if (delay > 0) return delay;
    for (const budget of budgets) {
      const interval = intervalOf(budget);
      if (interval === 0) continue;
      const paceDelay = budget.due - toleranceOf(budget, interval) - now;
      // only a hold by the measured rate (not by a stated limit) is a reason to probe it higher
      if (paceDelay > 0 && budget.rate !== undefined && !isPacedByLimit(budget)) isPaceBound = true;
      delay = Math.max(delay, paceDelay);
    }
    return delay;
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
    if (exhausted && now >= exhausted.until) exhausted = undefined;
    if (exhausted) {
      for (const waiter of waiters.splice(0)) waiter.fail(exhausted.error);
      return;
    }
    window.prune(now);
    growIfCalm(now);
    while (waiters.length > 0) {
      const head = waiters[0]!;
      const delay = delayForHead(head, now);
      if (delay > 0) {
        if (Number.isFinite(delay)) timer = setTimeout(pump, Math.max(1, Math.ceil(delay)));
        else if (allowed < maxConcurrency) timer = setTimeout(pump, RECOVERY_STEP_MS); // concurrency may grow back
        return;
      }
      waiters.shift();
      head.grant(startCall(head, now));
    }
  }

  function startCall(waiter: Waiter, now: number): Lease {
    const call = window.add(waiter.tokens, now);
    const estimate = waiter.tokens;
    const callEpoch = epoch;
    const charged = budgets.map((budget) => {
      const pace = costOf(budget, waiter) * intervalOf(budget);
      const held = costOf(budget, waiter) * intervalOf(budget, budget.confirmedRate ?? budget.rate);
      if (pace > 0) budget.due = Math.max(budget.due, now) + pace;
      if (held > 0) budget.confirmedDue = Math.max(budget.confirmedDue, now) + held;
      return { pace, held };
    });
    let isReleased = false;
    return {
      waitMs: now - waiter.queuedAt,
      release(outcome = {}) {
        if (isReleased) return;
        isReleased = true;
        const at = Date.now();
        window.end(call, at, outcome.tokens);
        // a stated token budget counts real usage: the pace ran on the estimate, so settle the difference
        // (a measured token rate was measured in estimates, and stays in them)
        if (outcome.tokens !== undefined && isPacedByLimit(tokens)) tokens.due += (outcome.tokens - estimate) * intervalOf(tokens);
        if (outcome.rateHeaders) learnFromHeaders(outcome.rateHeaders, call, at);
        if (outcome.rateLimited) {
          // a refused call spent none of the provider's budget: its retry takes its place in the pace,
          // after the Retry-After, instead of a whole interval later
          budgets.forEach((budget, index) => {
            budget.due -= charged[index]!.pace;
            budget.confirmedDue -= charged[index]!.held;
          });
          learnFrom429(callEpoch, outcome, at);
        } else {
          learnFromAdmitted(call, estimate, callEpoch, at);
        }
        pump();
      },
    };
  }

  function learnFromHeaders(headers: RateHeaders, call: WindowCall, now: number): void {
    window.prune(now);
    let releaseAt = 0;
    let isEveryBudgetRead = true;
    for (const budget of budgets) {
      const reading = headers[budget.unit];
      if (!reading) {
        if (limitOf(budget) !== undefined) isEveryBudgetRead = false;
        continue;
      }
      releaseAt = Math.max(releaseAt, now + reading.resetMs);
      if (budget.configured === undefined) {
        let isWindowNews = false;
        if (reading.remaining < reading.limit) {
          // the budget is whole again at the reset, and the call was sent before: the window is no longer
          const observed = Math.max(1, reading.resetMs + (now - call.start));
          const previous = Math.min(budget.windowEstimate ?? Number.POSITIVE_INFINITY, windowMs);
          if (observed < previous) {
            budget.windowEstimate = observed;
            isWindowNews = observed < 0.95 * previous; // worth remembering, not every millisecond
          }
        }
        state(budget, reading.limit, 'headers', reading.header, now, isWindowNews);
      }
      // a configured figure stands over the stated one, but others' usage is a fact either way. A budget
      // spent by our own paced calls is the steady state, not a reason to stop (0 remaining is normal then)
      const ownEnded = budget.unit === 'requests' ? window.endedRequests : window.endedTokens;
      // what the provider counts beyond our own ended calls is others' usage; our calls in flight are
      // counted in our window, so `remaining` minus them is what may start now
      budget.foreign = Math.max(0, reading.limit - reading.remaining - ownEnded);
      budget.foreignUntil = now + reading.resetMs;
    }
    // the budget is whole again at the reset: none of our ended calls counts there any longer
    if (isEveryBudgetRead && releaseAt > 0) window.releaseBy(releaseAt);
  }

  function learnFrom429(callEpoch: number, outcome: CallOutcome, now: number): void {
    const waitMs = outcome.retryAfterMs ?? DEFAULT_429_PAUSE_MS;
    pausedUntil = Math.max(pausedUntil, now + waitMs);
    if (outcome.exhausted) {
      exhaust(outcome.exhausted, now);
      return;
    }
    for (const quota of outcome.quotas ?? []) {
      const budget = quota.unit === 'requests' ? requests : tokens;
      if (quota.period === 'minute' && quota.limit !== undefined && budget.configured === undefined) state(budget, quota.limit, '429 body', quota.name, now);
    }
    if (callEpoch !== epoch) return; // started before the last learning step: that step already counted it
    epoch += 1;
    lastRateLimitAt = now;
    allowed = Math.max(1, Math.floor(allowed / 2));
    if (budgets.some((budget) => budget.rate !== undefined && budget.confirmedRate !== undefined && budget.rate > budget.confirmedRate)) failedProbes += 1;
    step = {
      epoch: callEpoch,
      admitsAgainAt: now + waitMs,
      previous: { requests: requests.rate, tokens: tokens.rate },
      confirmed: { requests: requests.confirmedRate, tokens: tokens.confirmedRate },
    };
    measure(now);
  }

  function learnFromAdmitted(call: WindowCall, estimate: number, callEpoch: number, now: number): void {
    // in the estimate's units, the ones the pace charges before a call
    samples.push({ start: call.start, tokens: estimate, epoch: callEpoch });
    if (samples.length > SAMPLE_LIMIT) samples.shift();
    // a call of the measured epoch was admitted after all: the measurement grows by it
    if (step && callEpoch === step.epoch) measure(now);
    else raiseIfCalm(now);
  }

  /** Sets the measured rates from the step's epoch; a 429 never lets a rate rise. */
  function measure(now: number): void {
    if (!step) return;
    const admitted = samples.filter((sample) => sample.epoch === step!.epoch);
    const measured = estimateRate(admitted, step.admitsAgainAt);
    // nothing admitted at all: one call per Retry-After is all that is known to pass
    if (measured.requests === 0) measured.requests = 1 / Math.max(1, step.admitsAgainAt - now);
    let isChanged = false;
    for (const budget of budgets) {
      if (budget.configured !== undefined || measured[budget.unit] === 0) continue;
      const previous = step.previous[budget.unit];
      const confirmed = step.confirmed[budget.unit];
      // a probe above a rate that held a calm period failed: back to that rate (a measurement over paced
      // calls reads our own pace, not the provider's limit); any other 429 cuts the rate
      const isFailedProbe = previous !== undefined && confirmed !== undefined && previous > confirmed;
      const rate = isFailedProbe ? confirmed : Math.min(measured[budget.unit], previous === undefined ? Number.POSITIVE_INFINITY : previous * RATE_DECREASE);
      // the calls sent during the probe went closer together than the rate that held: the pace goes on
      // as if they had not, or the provider's window, still holding them, refuses the next call too
      if (isFailedProbe) budget.due = Math.max(budget.due, budget.confirmedDue);
      if (rate === budget.rate) continue;
      budget.rate = rate;
      budget.baseRate = rate;
      budget.confirmedRate = rate;
      budget.learnedAt = now;
      isChanged = true;
    }
    rateChangedAt = now;
    isPaceBound = false;
    if (isChanged) onLearned(learned());
  }

  /** Additive increase: after a calm period in which the measured rate held calls back, probe a little higher. */
  function raiseIfCalm(now: number): void {
    if (requests.rate === undefined && tokens.rate === undefined) return;
    const calmMs = Math.max(CALM_MIN_MS, requests.rate ? CALM_CALLS / requests.rate : 0) * 2 ** failedProbes;
    if (!isPaceBound || now - rateChangedAt < calmMs || now - lastRateLimitAt < calmMs) return;
    for (const budget of budgets) {
      if (budget.configured !== undefined || budget.rate === undefined) continue;
      budget.confirmedRate = budget.rate; // it held a calm period
      budget.rate += RATE_INCREASE * (budget.baseRate ?? budget.rate);
      budget.learnedAt = now;
    }
    step = undefined;
    rateChangedAt = now;
    isPaceBound = false;
    onLearned(learned());
  }

  function state(budget: Budget, limit: number, source: Exclude<LimitSource, '429 rate'>, detail: string, now: number, isNews = false): void {
    if (budget.stated === limit && budget.statedSource === source && !isNews) return;
    budget.stated = limit;
    budget.statedSource = source;
    budget.detail = detail;
    budget.learnedAt = now;
    onLearned(learned());
  }

  function exhaust(error: QuotaExhaustedError, now: number): void {
    exhausted = { error, until: error.resetsAt?.getTime() ?? now + UNKNOWN_RESET_MS };
    exhaustedQuota = {
      name: error.quota,
      unit: 'requests',
      ...(error.limit !== undefined && { limit: error.limit }),
      at: new Date(now).toISOString(),
      ...(error.resetsAt && { resetsAt: error.resetsAt.toISOString() }),
    };
    onLearned(learned());
  }

  function learned(): LearnedLimits {
    const describe = (budget: Budget): LearnedBudget | undefined => {
      if (budget.stated === undefined && budget.confirmedRate === undefined) return undefined;
      return {
        ...(budget.stated !== undefined && { perWindow: budget.stated }),
        ...(budget.windowEstimate !== undefined && budget.windowEstimate < windowMs && { windowMs: Math.ceil(budget.windowEstimate) }),
        ...(budget.confirmedRate !== undefined && { perSecond: Number((budget.confirmedRate * 1000).toPrecision(6)) }),
        // a stated limit is the provider's word; a measured rate alone is braid's
        source: budget.statedSource ?? '429 rate',
        ...(budget.statedSource !== undefined && budget.detail !== undefined && { detail: budget.detail }),
        learnedAt: new Date(budget.learnedAt).toISOString(),
      };
    };
    const requestsLearned = describe(requests);
    const tokensLearned = describe(tokens);
    return { ...(requestsLearned && { requests: requestsLearned }), ...(tokensLearned && { tokens: tokensLearned }), ...(exhaustedQuota && { exhaustedQuota }) };
  }

  return {
    acquire(options) {
      if (exhausted && Date.now() < exhausted.until) return Promise.reject(exhausted.error);
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
      return window.requests - window.endedRequests;
    },
  };
}

function createBudget(unit: Unit, configured: number | undefined, remembered: LearnedBudget | undefined): Budget {
  const rate = remembered?.perSecond === undefined ? undefined : remembered.perSecond / 1000;
  return {
    unit,
    configured,
    stated: remembered?.perWindow,
    windowEstimate: remembered?.windowMs,
    rate,
    baseRate: rate,
    confirmedRate: rate,
    foreign: 0,
    foreignUntil: 0,
    due: 0,
    confirmedDue: 0,
    statedSource: remembered?.perWindow === undefined || remembered.source === '429 rate' ? undefined : remembered.source,
    detail: remembered?.detail,
    learnedAt: remembered ? Date.parse(remembered.learnedAt) || Date.now() : 0,
  };
}
