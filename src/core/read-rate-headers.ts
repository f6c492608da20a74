/** What an answer's rate-limit headers say about one budget, at the moment of the answer. */
export interface HeaderBudget {
  /** What the budget allows per minute. */
  limit: number;
  /** What is left of it now; calls still in flight may not be counted yet. */
  remaining: number;
  /** Until the budget is whole again. */
  resetMs: number;
  /** The header that stated the limit, e.g. `x-ratelimit-limit-requests`. */
  header: string;
}

/** The budgets an answer's headers describe; either may be missing. */
export interface RateHeaders {
  requests?: HeaderBudget;
  tokens?: HeaderBudget;
}

/**
 * Reads the rate-limit headers of an answer (a success or a 429):
 * - OpenAI: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, resets as durations (`1s`, `6m0s`, `20ms`);
 * - Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
 *   resets as RFC 3339 times. `tokens` is the most restrictive token limit; without it, the input then
 *   output limit stands in (braid counts input and output together, so either is a safe bound).
 *
 * Header names are looked up in lower case, as `fetch` (and so the AI SDK) gives them. Runs on every
 * answer, so it only looks up the few names it knows.
 *
 * @example
 * readRateHeaders({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-reset-requests': '1s' });
 * // { requests: { limit: 60, remaining: 59, resetMs: 1000, header: 'x-ratelimit-limit-requests' } }
 */
export function readRateHeaders(headers: Record<string, string | undefined> | undefined, now = Date.now()): RateHeaders | undefined {
  if (!headers) return undefined;
  let requests: HeaderBudget | undefined;
  let tokens: HeaderBudget | undefined;
  if (headers['x-ratelimit-limit-requests'] !== undefined || headers['x-ratelimit-limit-tokens'] !== undefined) {
    requests = readBudget('x-ratelimit-limit-requests', headers['x-ratelimit-limit-requests'], headers['x-ratelimit-remaining-requests'], parseDuration(headers['x-ratelimit-reset-requests']));
    tokens = readBudget('x-ratelimit-limit-tokens', headers['x-ratelimit-limit-tokens'], headers['x-ratelimit-remaining-tokens'], parseDuration(headers['x-ratelimit-reset-tokens']));
  } else {
    requests = readAnthropicBudget(headers, ANTHROPIC.requests, now);
    for (const names of ANTHROPIC.tokens) tokens ??= readAnthropicBudget(headers, names, now);
  }
  if (!requests && !tokens) return undefined;
  return { ...(requests && { requests }), ...(tokens && { tokens }) };
}

interface HeaderNames {
  limit: string;
  remaining: string;
  reset: string;
}

const anthropicNames = (kind: string): HeaderNames => ({
  limit: `anthropic-ratelimit-${kind}-limit`,
  remaining: `anthropic-ratelimit-${kind}-remaining`,
  reset: `anthropic-ratelimit-${kind}-reset`,
});

/** Built once: this runs on every answer. */
const ANTHROPIC = { requests: anthropicNames('requests'), tokens: ['tokens', 'input-tokens', 'output-tokens'].map(anthropicNames) };

function readAnthropicBudget(headers: Record<string, string | undefined>, names: HeaderNames, now: number): HeaderBudget | undefined {
  const limit = headers[names.limit];
  if (limit === undefined) return undefined;
  const reset = headers[names.reset];
  const resetAt = reset === undefined ? Number.NaN : Date.parse(reset);
  return readBudget(names.limit, limit, headers[names.remaining], Number.isFinite(resetAt) ? Math.max(0, resetAt - now) : undefined);
}

function readBudget(header: string, limitText: string | undefined, remainingText: string | undefined, resetMs: number | undefined): HeaderBudget | undefined {
  if (limitText === undefined || remainingText === undefined || resetMs === undefined) return undefined;
  const limit = Number(limitText);
  const remaining = Number(remainingText);
  if (!(limit > 0) || !(remaining >= 0) || !Number.isFinite(limit) || !Number.isFinite(remaining)) return undefined;
  return { limit, remaining: Math.min(remaining, limit), resetMs, header };
}

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Parses Go-style durations as OpenAI sends them: `1s`, `6m0s`, `250ms`, `1h2m3.5s`; a bare number is seconds. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // the common shapes (`250ms`, `1.5s`) without a regular expression: this runs on every answer
  const unit = text.endsWith('ms') ? 1 : text.endsWith('s') ? 1_000 : 0;
  const amount = unit === 0 ? Number.NaN : Number(text.slice(0, unit === 1 ? -2 : -1));
  if (Number.isFinite(amount) && text.length > (unit === 1 ? 2 : 1)) return amount * unit;
  let total = 0;
  let matched = false;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(amount) * DURATION_UNITS[unit!]!;
    matched = true;
  }
  if (matched) return total;
  const seconds = Number(text);
  return text.trim() !== '' && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
