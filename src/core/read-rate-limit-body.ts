import { parseDuration } from './read-rate-headers.js';

/** One quota a 429's body names. */
export interface QuotaReading {
  unit: 'requests' | 'tokens';
  period: 'minute' | 'day';
  /** What it allows per period, when the body says. */
  limit: number | undefined;
  /** The provider's name for it: Gemini's `quotaId`, or OpenAI's `requests per day (RPD)`. */
  name: string;
}

/** A quota that retrying within minutes cannot help with: a per-day quota, or a spent billing quota. */
export interface ExhaustedQuota {
  name: string;
  unit: 'requests' | 'tokens';
  limit: number | undefined;
  resetsAt: Date | undefined;
}

/** What a 429's body says about the limit it hit. */
export interface RateLimitBody {
  quotas: QuotaReading[];
  /** Gemini's `RetryInfo.retryDelay`, or the message's "try again in 2.7s". */
  retryAfterMs: number | undefined;
  exhausted: ExhaustedQuota | undefined;
}

/**
 * Reads the limit a 429's body names:
 * - Gemini: `error.details[]` with `@type` `type.googleapis.com/google.rpc.QuotaFailure`
 *   (`violations[].quotaId`, e.g. `GenerateRequestsPerMinutePerProjectPerModel-FreeTier`, and `quotaValue`, a
 *   string) and `type.googleapis.com/google.rpc.RetryInfo` (`retryDelay`, e.g. `"26s"`). A `PerDay` quota
 *   resets at midnight Pacific time, as Google documents (its `retryDelay` is only seconds even then);
 * - OpenAI: `error.message` "Rate limit reached for … on requests per min (RPM): Limit 3, Used 3, Requested 1.
 *   Please try again in 20s." (`tokens per min (TPM)`, `requests per day (RPD)`, `tokens per day (TPD)`), and
 *   `error.code` `insufficient_quota` (billing: no reset time);
 * - Anthropic: `error.message` "This request would exceed the rate limit for your organization (…) of 50
 *   requests per minute" (also `input tokens`, `output tokens`).
 *
 * Returns undefined when the body names nothing. Runs only on a 429.
 *
 * @example
 * readRateLimitBody('{"error":{"code":"rate_limit_exceeded","message":"… on requests per day (RPD): Limit 200, Used 200, Requested 1. Please try again in 7m12s."}}');
 * // { quotas: [{ unit: 'requests', period: 'day', limit: 200, name: 'requests per day (RPD)' }], retryAfterMs: 432000, exhausted: {…} }
 */
export function readRateLimitBody(responseBody: string | undefined, now = Date.now()): RateLimitBody | undefined {
  if (!responseBody) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseBody);
  } catch {
    return undefined;
  }
  const error = recordOf(recordOf(parsed)?.error);
  if (!error) return undefined;
  const details = Array.isArray(error.details) ? error.details : undefined;
  const result = details ? readGeminiDetails(details, now) : readMessage(error, now);
  return result && (result.quotas.length > 0 || result.retryAfterMs !== undefined || result.exhausted) ? result : undefined;
}

function readGeminiDetails(details: unknown[], now: number): RateLimitBody {
  const quotas: QuotaReading[] = [];
  let retryAfterMs: number | undefined;
  for (const detail of details.map(recordOf)) {
    const type = typeof detail?.['@type'] === 'string' ? detail['@type'] : '';
    if (type.endsWith('google.rpc.RetryInfo') && typeof detail?.retryDelay === 'string') {
      retryAfterMs = parseDuration(detail.retryDelay);
    } else if (type.endsWith('google.rpc.QuotaFailure') && Array.isArray(detail?.violations)) {
      for (const violation of detail.violations.map(recordOf)) {
        const quotaId = violation?.quotaId;
        if (typeof quotaId !== 'string') continue;
        const period = /PerDay/i.test(quotaId) ? 'day' : /PerMinute/i.test(quotaId) ? 'minute' : undefined;
        if (!period) continue;
        const value = Number(violation?.quotaValue);
        quotas.push({ unit: /Tokens/i.test(quotaId) ? 'tokens' : 'requests', period, limit: value > 0 ? value : undefined, name: quotaId });
      }
    }
  }
  const daily = quotas.find((quota) => quota.period === 'day');
  const exhausted = daily && { name: daily.name, unit: daily.unit, limit: daily.limit, resetsAt: new Date(nextMidnightIn('America/Los_Angeles', now)) };
  return { quotas, retryAfterMs, exhausted };
}

const OPENAI_LIMIT = /on (requests|tokens) per (min|day) \((\w+)\): Limit (\d+)/i;
const ANTHROPIC_LIMIT = /of ([\d,]+) ((?:input |output )?tokens|requests) per (minute|day)/i;
const TRY_AGAIN = /try again in (\d[\dhms.]*)/i;

function readMessage(error: Record<string, unknown>, now: number): RateLimitBody | undefined {
  const message = typeof error.message === 'string' ? error.message : '';
  if (error.code === 'insufficient_quota') {
    return { quotas: [], retryAfterMs: undefined, exhausted: { name: 'insufficient_quota (billing)', unit: 'requests', limit: undefined, resetsAt: undefined } };
  }
  const tryAgain = TRY_AGAIN.exec(message);
  const retryAfterMs = tryAgain ? parseDuration(tryAgain[1]!.replace(/\.$/, '')) : undefined;
  const quotas: QuotaReading[] = [];
  const openai = OPENAI_LIMIT.exec(message);
  if (openai) {
    const [, unit, period, abbreviation, limit] = openai;
    quotas.push({
      unit: unit!.toLowerCase() === 'tokens' ? 'tokens' : 'requests',
      period: period!.toLowerCase() === 'day' ? 'day' : 'minute',
      limit: Number(limit),
      name: `${unit!.toLowerCase()} per ${period!.toLowerCase() === 'day' ? 'day' : 'min'} (${abbreviation})`,
    });
  }
  const anthropic = ANTHROPIC_LIMIT.exec(message);
  if (!openai && anthropic) {
    const [, limit, unit, period] = anthropic;
    quotas.push({
      unit: /tokens/i.test(unit!) ? 'tokens' : 'requests',
      period: period!.toLowerCase() === 'day' ? 'day' : 'minute',
      limit: Number(limit!.replaceAll(',', '')),
      name: `${unit!.toLowerCase()} per ${period!.toLowerCase()}`,
    });
  }
  const daily = quotas.find((quota) => quota.period === 'day');
  const exhausted = daily && {
    name: daily.name,
    unit: daily.unit,
    limit: daily.limit,
    // a rolling day: "try again in" is when the oldest request of the day leaves it
    resetsAt: retryAfterMs === undefined ? undefined : new Date(now + retryAfterMs),
  };
  return { quotas, retryAfterMs, exhausted };
}

/** The next midnight in a time zone, as epoch ms; a DST change that day is allowed for. */
export function nextMidnightIn(timeZone: string, now: number): number {
  const clock = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
    const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value ?? 0);
    return part('hour') * 3_600_000 + part('minute') * 60_000 + part('second') * 1_000 + (at % 1_000);
  };
  const midnight = now + 86_400_000 - clock(now);
  const drift = clock(midnight); // 0 unless the zone's offset changed before midnight
  return drift > 12 * 3_600_000 ? midnight + (86_400_000 - drift) : midnight - drift;
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
