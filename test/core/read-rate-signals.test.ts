import { expect, test } from 'vitest';
import { nextMidnightIn, readRateLimitBody } from '../../src/core/read-rate-limit-body.js';
import { parseDuration, readRateHeaders } from '../../src/core/read-rate-headers.js';

// The shapes below are the providers' own, as their APIs send them (and as users have posted them);
// the fake provider sends the same shapes, and test/core/learn-limits.test.ts runs them end to end.

const NOW = Date.parse('2026-03-10T12:00:00Z');

test('OpenAI rate headers: limit, remaining and a Go-style reset, for requests and tokens', () => {
  expect(
    readRateHeaders({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '200000',
      'x-ratelimit-remaining-tokens': '198500',
      'x-ratelimit-reset-tokens': '6m0s',
    }),
  ).toEqual({
    requests: { limit: 500, remaining: 499, resetMs: 120, header: 'x-ratelimit-limit-requests' },
    tokens: { limit: 200_000, remaining: 198_500, resetMs: 360_000, header: 'x-ratelimit-limit-tokens' },
  });
  expect(['1s', '6m0s', '20ms', '1.5s', '1h2m3.5s', '7m12s'].map(parseDuration)).toEqual([1_000, 360_000, 20, 1_500, 3_723_500, 432_000]);
});

test('Anthropic rate headers: RFC 3339 resets; tokens, else input tokens, stand for the token budget', () => {
  expect(
    readRateHeaders(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2026-03-10T12:00:02Z',
        'anthropic-ratelimit-input-tokens-limit': '20000',
        'anthropic-ratelimit-input-tokens-remaining': '18000',
        'anthropic-ratelimit-input-tokens-reset': '2026-03-10T12:00:07Z',
      },
      NOW,
    ),
  ).toEqual({
    requests: { limit: 50, remaining: 49, resetMs: 2_000, header: 'anthropic-ratelimit-requests-limit' },
    tokens: { limit: 20_000, remaining: 18_000, resetMs: 7_000, header: 'anthropic-ratelimit-input-tokens-limit' },
  });
  expect(readRateHeaders({ 'content-type': 'application/json', 'retry-after': '3' })).toBeUndefined();
});

test("Gemini 429: QuotaFailure names a per-minute quota with its value, RetryInfo when to retry", () => {
  const body = {
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details. …',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_input_token_count',
              quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
              quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
              quotaValue: '250000',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '26s' },
      ],
    },
  };
  expect(readRateLimitBody(JSON.stringify(body), NOW)).toEqual({
    quotas: [{ unit: 'tokens', period: 'minute', limit: 250_000, name: 'GenerateContentInputTokensPerModelPerMinute-FreeTier' }],
    retryAfterMs: 26_000,
    exhausted: undefined,
  });
});

test('Gemini 429 naming a PerDay quota (quotaValue may be missing): spent until midnight Pacific', () => {
  const body = {
    error: {
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            { quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model: 'gemini-2.0-flash' } },
            { quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model: 'gemini-2.0-flash' } },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '47s' },
      ],
    },
  };
  const read = readRateLimitBody(JSON.stringify(body), NOW)!;
  expect(read.exhausted).toEqual({ name: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', unit: 'requests', limit: undefined, resetsAt: new Date('2026-03-11T07:00:00Z') });
  // across the spring DST change (8 March 2026 in the US), midnight Pacific moves from 08:00 to 07:00 UTC
  expect(new Date(nextMidnightIn('America/Los_Angeles', Date.parse('2026-03-07T20:00:00Z'))).toISOString()).toBe('2026-03-08T08:00:00.000Z');
  expect(new Date(nextMidnightIn('America/Los_Angeles', Date.parse('2026-03-08T20:00:00Z'))).toISOString()).toBe('2026-03-09T07:00:00.000Z');
});

test('OpenAI 429 messages: per-minute limits are learned; per-day limits and billing quotas are spent', () => {
  const openai = (message: string, type: string, code = 'rate_limit_exceeded') => JSON.stringify({ error: { message, type, param: null, code } });
  expect(
    readRateLimitBody(openai('Rate limit reached for gpt-4 in organization org-xxx on tokens per min (TPM): Limit 10000, Used 9059, Requested 1302. Please try again in 2.166s. Visit https://platform.openai.com/account/rate-limits to learn more.', 'tokens'), NOW),
  ).toEqual({ quotas: [{ unit: 'tokens', period: 'minute', limit: 10_000, name: 'tokens per min (TPM)' }], retryAfterMs: 2_166, exhausted: undefined });
  expect(
    readRateLimitBody(openai('Rate limit reached for gpt-4o-mini in organization org-xxx on requests per day (RPD): Limit 200, Used 200, Requested 1. Please try again in 7m12s. Visit https://platform.openai.com/account/rate-limits to learn more.', 'requests'), NOW),
  ).toEqual({
    quotas: [{ unit: 'requests', period: 'day', limit: 200, name: 'requests per day (RPD)' }],
    retryAfterMs: 432_000,
    exhausted: { name: 'requests per day (RPD)', unit: 'requests', limit: 200, resetsAt: new Date(NOW + 432_000) },
  });
  expect(readRateLimitBody(openai('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'), NOW)?.exhausted).toEqual({
    name: 'insufficient_quota (billing)',
    unit: 'requests',
    limit: undefined,
    resetsAt: undefined,
  });
});

test('Anthropic 429 message: the limit it states is learned', () => {
  const body = {
    type: 'error',
    error: {
      type: 'rate_limit_error',
      message:
        'This request would exceed the rate limit for your organization (0dccdde6-f924-4f1b-bb3b-92ef846e0a5b) of 20,000 input tokens per minute. For details, refer to: https://docs.anthropic.com/en/api/rate-limits. You can see the response headers for current usage.',
    },
  };
  expect(readRateLimitBody(JSON.stringify(body), NOW)).toEqual({
    quotas: [{ unit: 'tokens', period: 'minute', limit: 20_000, name: 'input tokens per minute' }],
    retryAfterMs: undefined,
    exhausted: undefined,
  });
  // a 429 that names nothing says nothing
  expect(readRateLimitBody(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Rate limited' } }))).toBeUndefined();
  expect(readRateLimitBody('not json')).toBeUndefined();
});
