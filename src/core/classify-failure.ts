import { APICallError } from 'ai';
import { StepTimeoutError } from './errors.js';
import { parseDuration, readRateHeaders, type RateHeaders } from './read-rate-headers.js';
import { readRateLimitBody, type RateLimitBody } from './read-rate-limit-body.js';

/** How the retry loop should treat one failed attempt. */
export interface FailureClass {
  /** Worth another attempt: 429, 5xx, 408, connection errors, timeouts, garbled 2xx bodies. */
  isRetryable: boolean;
  isRateLimited: boolean;
  statusCode: number | undefined;
  /** What the provider asked us to wait, from its headers (or, without them, a 429's body). */
  retryAfterMs: number | undefined;
  /** The answer's rate-limit headers: OpenAI and Anthropic send them on a 429 too. */
  rateHeaders?: RateHeaders;
  /** The limit a 429's body names; with `exhausted`, a quota that retrying soon cannot help. */
  rateLimitBody?: RateLimitBody;
}

/**
 * Sorts a failed attempt. A 4xx caused by the request itself (400, 401, 403, 404, 422) is final:
 * sending the same request again cannot help; so is a 429 whose body says a per-day or billing quota
 * is spent.
 */
export function classifyFailure(error: unknown, now = Date.now()): FailureClass {
  if (error instanceof StepTimeoutError) {
    return { isRetryable: true, isRateLimited: false, statusCode: undefined, retryAfterMs: undefined };
  }
  if (APICallError.isInstance(error)) {
    const statusCode = error.statusCode;
    const retryAfterMs = readRetryAfterMs(error.responseHeaders);
    if (statusCode === undefined) {
      // no HTTP status: the connection failed or broke mid-way
      return { isRetryable: true, isRateLimited: false, statusCode, retryAfterMs };
    }
    const isRateLimited = statusCode === 429;
    if (isRateLimited) {
      const rateLimitBody = readRateLimitBody(error.responseBody, now);
      return {
        isRetryable: rateLimitBody?.exhausted === undefined,
        isRateLimited,
        statusCode,
        retryAfterMs: retryAfterMs ?? rateLimitBody?.retryAfterMs,
        rateHeaders: readRateHeaders(error.responseHeaders, now),
        rateLimitBody,
      };
    }
    // a 2xx the SDK could not read is the server's fault, not the request's
    const isRetryable = statusCode >= 500 || statusCode === 408 || statusCode < 300 || error.isRetryable;
    return { isRetryable, isRateLimited, statusCode, retryAfterMs };
  }
  return { isRetryable: isNetworkError(error), isRateLimited: false, statusCode: undefined, retryAfterMs: undefined };
}

/**
 * Reads how long to wait from `retry-after-ms`, `retry-after` (seconds or an HTTP date) and the
 * OpenAI-style `x-ratelimit-reset-*` headers (`1s`, `6m0s`, `250ms`).
 */
export function readRetryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const milliseconds = Number(lower['retry-after-ms']);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = lower['retry-after'];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const resets = [parseDuration(lower['x-ratelimit-reset-requests']), parseDuration(lower['x-ratelimit-reset-tokens'])].filter(
    (value): value is number => value !== undefined,
  );
  return resets.length > 0 ? Math.max(...resets) : undefined;
}

function isNetworkError(error: unknown): boolean {
  const codes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
  }
  return false;
}
