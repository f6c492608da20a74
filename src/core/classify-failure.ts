import { APICallError } from 'ai';
import { StepTimeoutError } from './errors.js';

/** How the retry loop should treat one failed attempt. */
export interface FailureClass {
  /** Worth another attempt: 429, 5xx, 408, connection errors, timeouts, garbled 2xx bodies. */
  isRetryable: boolean;
  isRateLimited: boolean;
  statusCode: number | undefined;
  /** What the provider asked us to wait, from its headers. */
  retryAfterMs: number | undefined;
}

/**
 * Sorts a failed attempt. A 4xx caused by the request itself (400, 401, 403, 404, 422) is final:
 * sending the same request again cannot help.
 */
export function classifyFailure(error: unknown): FailureClass {
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
    // a 2xx the SDK could not read is the server's fault, not the request's
    const isRetryable = isRateLimited || statusCode >= 500 || statusCode === 408 || statusCode < 300 || error.isRetryable;
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
  const resets = [lower['x-ratelimit-reset-requests'], lower['x-ratelimit-reset-tokens']]
    .map((value) => (value === undefined ? undefined : parseDuration(value)))
    .filter((value): value is number => value !== undefined);
  return resets.length > 0 ? Math.max(...resets) : undefined;
}

/**
 * When a successful answer's headers say the budget is spent (`x-ratelimit-remaining-* = 0`),
 * how long until it resets; otherwise undefined.
 */
export function readExhaustedBudgetMs(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  for (const kind of ['requests', 'tokens']) {
    if (lower[`x-ratelimit-remaining-${kind}`] === '0') {
      const reset = lower[`x-ratelimit-reset-${kind}`];
      return reset === undefined ? undefined : parseDuration(reset);
    }
  }
  return undefined;
}

/** Parses Go-style durations as OpenAI sends them: `1s`, `6m0s`, `250ms`, `1h2m3.5s`. */
function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  let matched = false;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(amount) * units[unit!]!;
    matched = true;
  }
  if (matched) return total;
  const seconds = Number(text);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
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
