import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, NoObjectGeneratedError, Output, streamText, tool, type LanguageModel } from 'ai';
import { describe, expect, onTestFinished, test, vi } from 'vitest';
import { z } from 'zod';
import { startFakeProvider, type FakeProvider, type StartFakeProviderOptions, type WireName } from './index.js';

// the unknown model ids are deliberate: they make @ai-sdk/anthropic use its json tool, a path worth testing
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const Recipe = z.object({
  title: z.string().min(3).max(40),
  tags: z.array(z.string()).min(2).max(4),
  servings: z.number().int().min(1).max(8),
  difficulty: z.enum(['easy', 'hard']).nullable(),
  published: z.iso.date(),
  author: z.object({ name: z.string(), isChef: z.boolean() }),
  note: z.string().optional(),
});

interface WireCase {
  name: string;
  wire: WireName;
  model(server: FakeProvider): LanguageModel;
  /** What the provider's own 429 body looks like when it names the limit (`rateLimitSignals: 'full'`): rpm 1 here. */
  rateLimitBody: unknown;
  /** The rate-limit headers of that 429, and of every answer, on this wire (rpm 1, one request made). */
  rateHeaders: Record<string, unknown>;
  /** What the provider's own 503 body looks like. */
  unavailableBody: unknown;
}

const OPENAI_429 = { error: { type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', message: expect.any(String) } };
const OPENAI_RPM_429 = {
  error: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: expect.stringMatching(/^Rate limit reached for \S+ in organization org-fake on requests per min \(RPM\): Limit 1, Used 1, Requested 1\. Please try again in \d+(\.\d+)?s\./),
  },
};
const OPENAI_HEADERS = { 'x-ratelimit-limit-requests': '1', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': expect.stringMatching(/^(\d+m)?\d+(\.\d+)?(ms|s)$/) };
const GEMINI_RPM_429 = {
  error: {
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    details: expect.arrayContaining([
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [expect.objectContaining({ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaValue: '1' })],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: expect.stringMatching(/^\d+(\.\d+)?s$/) },
    ]),
  },
};
const ANTHROPIC_RPM_429 = {
  type: 'error',
  error: { type: 'rate_limit_error', message: expect.stringMatching(/^This request would exceed the rate limit for your organization \(fake-org\) of 1 requests per minute\./) },
};
const ANTHROPIC_HEADERS = {
  'anthropic-ratelimit-requests-limit': '1',
  'anthropic-ratelimit-requests-remaining': '0',
  'anthropic-ratelimit-requests-reset': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
};
const OPENAI_503 = { error: { type: 'server_error', message: expect.any(String) } };
const GEMINI_503 = { error: { code: 503, status: 'UNAVAILABLE', message: expect.any(String) } };
const ANTHROPIC_503 = { type: 'error', error: { type: 'overloaded_error', message: expect.any(String) } };

const WIRE_CASES: WireCase[] = [
  {
    name: 'openai chat',
    wire: 'openai',
    model: (server) => createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test' }).chat('gpt-test'),
    rateLimitBody: OPENAI_RPM_429,
    rateHeaders: OPENAI_HEADERS,
    unavailableBody: OPENAI_503,
  },
  {
    name: 'openai-compatible',
    wire: 'openai',
    model: (server) =>
      createOpenAICompatible({ name: 'compatible', baseURL: server.openaiBaseURL, supportsStructuredOutputs: true, includeUsage: true }).chatModel('compatible-test'),
    rateLimitBody: OPENAI_RPM_429,
    rateHeaders: OPENAI_HEADERS,
    unavailableBody: OPENAI_503,
  },
  {
    name: 'gemini',
    wire: 'gemini',
    model: (server) => createGoogleGenerativeAI({ baseURL: server.geminiBaseURL, apiKey: 'test' })('gemini-test'),
    rateLimitBody: GEMINI_RPM_429,
    rateHeaders: {},
    unavailableBody: GEMINI_503,
  },
  {
    name: 'anthropic output_config',
    wire: 'anthropic',
    model: (server) => createAnthropic({ baseURL: server.anthropicBaseURL, apiKey: 'test' })('claude-sonnet-4-5'),
    rateLimitBody: ANTHROPIC_RPM_429,
    rateHeaders: ANTHROPIC_HEADERS,
    unavailableBody: ANTHROPIC_503,
  },
  {
    name: 'anthropic json tool',
    wire: 'anthropic',
    model: (server) => createAnthropic({ baseURL: server.anthropicBaseURL, apiKey: 'test' })('test-model'),
    rateLimitBody: ANTHROPIC_RPM_429,
    rateHeaders: ANTHROPIC_HEADERS,
    unavailableBody: ANTHROPIC_503,
  },
];

async function startServer(options: StartFakeProviderOptions = {}): Promise<FakeProvider> {
  const server = await startFakeProvider(options);
  onTestFinished(() => server.close());
  return server;
}

function openaiModel(server: FakeProvider): LanguageModel {
  return createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'sk-test' }).chat('gpt-test');
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error,
  );
}

async function apiCallErrorOf(promise: Promise<unknown>): Promise<APICallError> {
  const error = await failureOf(promise);
  if (!APICallError.isInstance(error)) throw new Error(`expected an APICallError, got ${String(error)}`);
  return error;
}

describe.each(WIRE_CASES)('$name wire', ({ wire, model, rateLimitBody, rateHeaders, unavailableBody }) => {
  test('structured output is valid against the schema, the same plain and streamed', async () => {
    const server = await startServer();
    const plain = await generateText({ model: model(server), prompt: 'A soup recipe', output: Output.object({ schema: Recipe }), maxRetries: 0 });
    expect(Recipe.safeParse(plain.output).success).toBe(true);

    const streamed = streamText({ model: model(server), prompt: 'A soup recipe', output: Output.object({ schema: Recipe }), maxRetries: 0 });
    expect(await streamed.output).toEqual(plain.output);

    const { timeline } = server.stats();
    expect(timeline.map((request) => [request.wire, request.status])).toEqual([[wire, 200], [wire, 200]]);
  });

  test('a forced tool call carries arguments generated from the tool schema', async () => {
    const server = await startServer();
    const Lookup = z.object({ city: z.string().min(2), days: z.number().int().min(1).max(7) });
    const result = await generateText({
      model: model(server),
      prompt: 'Weather in Lisbon?',
      tools: { forecast: tool({ inputSchema: Lookup }) },
      toolChoice: 'required',
      maxRetries: 0,
    });
    expect(result.toolCalls.map((call) => call.toolName)).toEqual(['forecast']);
    expect(Lookup.safeParse(result.toolCalls[0]?.input).success).toBe(true);
  });

  test('streamed text arrives in pieces and matches the plain answer; usage is chars / 4', async () => {
    const server = await startServer();
    const plain = await generateText({ model: model(server), system: 'Be brief.', prompt: 'Name a colour.', maxRetries: 0 });
    const streamed = streamText({ model: model(server), system: 'Be brief.', prompt: 'Name a colour.', maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of streamed.textStream) pieces.push(piece);

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(plain.text);
    const prompt = 'Be brief.\nName a colour.';
    expect(server.stats().timeline.map((request) => request.prompt)).toEqual([prompt, prompt]);
    expect(plain.usage.inputTokens).toBe(Math.ceil(prompt.length / 4));
    expect(plain.usage.outputTokens).toBe(Math.ceil(plain.text.length / 4));
    expect((await streamed.usage).outputTokens).toBe(Math.ceil(plain.text.length / 4));
  });

  test('with per-token latency a streamed answer is paced: its first piece arrives while the rest is still to come', async () => {
    const server = await startServer({ latencyPerTokenMs: 2 });
    const streamed = streamText({ model: model(server), prompt: 'A soup recipe', output: Output.object({ schema: Recipe }), maxRetries: 0 });
    const isOpenAtPiece: boolean[] = [];
    for await (const piece of streamed.textStream) if (piece !== '') isOpenAtPiece.push(server.stats().timeline[0]?.end === 0);
    expect(isOpenAtPiece.length).toBeGreaterThan(2);
    expect(isOpenAtPiece[0]).toBe(true);
    expect(Recipe.safeParse(await streamed.output).success).toBe(true);
  });

  test('a cutMidStream fault sends part of a streamed answer, then drops the connection; a plain request is reset', async () => {
    const server = await startServer({ faults: { cutMidStream: 1 } });
    const streamed = streamText({ model: model(server), prompt: 'A soup recipe', output: Output.object({ schema: Recipe }), maxRetries: 0, onError: () => {} });
    const pieces: string[] = [];
    const failure = await failureOf(
      (async () => {
        for await (const part of streamed.stream) {
          if (part.type === 'text-delta') pieces.push(part.text);
          if (part.type === 'error') throw part.error;
        }
      })(),
    );
    expect(APICallError.isInstance(failure)).toBe(true);
    expect(pieces.join('').length).toBeGreaterThan(0); // the answer had started
    expect(() => JSON.parse(pieces.join(''))).toThrow(); // and was cut before its end

    const plain = await failureOf(generateText({ model: model(server), prompt: 'hello', maxRetries: 0 }));
    expect(APICallError.isInstance(plain) && plain.statusCode !== undefined).toBe(false);
    await vi.waitFor(() => expect(server.stats().timeline.map((request) => [request.status, request.fault])).toEqual([[0, 'cutMidStream'], [0, 'cutMidStream']]));
  });

  test("over the rpm limit: the provider's own 429 body names the limit, with its rate-limit headers", async () => {
    const server = await startServer({ rpm: 1 });
    const first = await generateText({ model: model(server), prompt: 'first', maxRetries: 0 });
    const error = await apiCallErrorOf(generateText({ model: model(server), prompt: 'second', maxRetries: 0 }));

    expect(error.statusCode).toBe(429);
    expect(JSON.parse(error.responseBody ?? '')).toMatchObject(rateLimitBody as object);
    expect(first.response.headers).toMatchObject(rateHeaders);
    expect(error.responseHeaders).toMatchObject(rateHeaders);
    if (wire === 'gemini') {
      // Gemini says when to retry in the body (RetryInfo) only
      expect(error.responseHeaders?.['retry-after']).toBeUndefined();
    } else {
      const retryAfter = Number(error.responseHeaders?.['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(Number(error.responseHeaders?.['retry-after-ms'])).toBeGreaterThan((retryAfter - 1) * 1000);
    }
    expect(server.stats().byStatus).toEqual({ '200': 1, '429': 1 });
  });

  test("rateLimitSignals 'retry-after': a 429 says only when to retry, and no answer carries rate headers", async () => {
    const server = await startServer({ rpm: 1, rateLimitSignals: 'retry-after', retryAfterMs: false });
    const first = await generateText({ model: model(server), prompt: 'first', maxRetries: 0 });
    const error = await apiCallErrorOf(generateText({ model: model(server), prompt: 'second', maxRetries: 0 }));

    expect(error.statusCode).toBe(429);
    expect(error.responseHeaders?.['retry-after']).toMatch(/^\d+$/);
    expect(error.responseHeaders?.['retry-after-ms']).toBeUndefined();
    const rateHeaderNames = (headers: Record<string, string> | undefined) => Object.keys(headers ?? {}).filter((name) => name.includes('ratelimit'));
    expect(rateHeaderNames(first.response.headers)).toEqual([]);
    expect(rateHeaderNames(error.responseHeaders)).toEqual([]);
    expect(error.responseBody).not.toMatch(/\b1 requests|Limit 1|quota/i);
  });

  test('a status5xx fault answers 503 with the provider error body', async () => {
    const server = await startServer({ faults: { status5xx: 1 } });
    const error = await apiCallErrorOf(generateText({ model: model(server), prompt: 'hello', maxRetries: 0 }));
    expect(error.statusCode).toBe(503);
    expect(JSON.parse(error.responseBody ?? '')).toMatchObject(unavailableBody as object);
    expect(server.stats().timeline[0]).toMatchObject({ status: 503, fault: 'status5xx' });
  });

  test('prompt caching reports the shared prefix as cached input tokens', async () => {
    const server = await startServer({ promptCaching: true });
    const system = 'You answer questions about the tides of the northern coast. '.repeat(6);
    const first = await generateText({ model: model(server), system, prompt: 'When is high tide?', maxRetries: 0 });
    const second = await generateText({ model: model(server), system, prompt: 'When is low tide?', maxRetries: 0 });

    const sharedCharacters = `${system}\nWhen is `.length;
    expect(first.usage.inputTokenDetails.cacheReadTokens ?? 0).toBe(0);
    expect(second.usage.inputTokenDetails.cacheReadTokens).toBe(Math.floor(sharedCharacters / 4));
    expect(second.usage.inputTokens).toBe(Math.ceil(`${system}\nWhen is low tide?`.length / 4));
    expect(server.stats().timeline.map((request) => request.cachedTokens)).toEqual([0, Math.floor(sharedCharacters / 4)]);
  });

  test('a malformedJson fault truncates the content, so structured output fails', async () => {
    const server = await startServer({ faults: { malformedJson: 1 } });
    const error = await failureOf(generateText({ model: model(server), prompt: 'A recipe', output: Output.object({ schema: Recipe }), maxRetries: 0 }));
    expect(NoObjectGeneratedError.isInstance(error)).toBe(true);
    expect(() => JSON.parse((error as NoObjectGeneratedError).text ?? '')).toThrow();
    expect(server.stats().timeline[0]).toMatchObject({ status: 200, fault: 'malformedJson' });
  });

  test('a schemaViolation fault answers valid JSON that breaks the schema', async () => {
    const server = await startServer({ faults: { schemaViolation: 1 } });
    const error = await failureOf(generateText({ model: model(server), prompt: 'A recipe', output: Output.object({ schema: Recipe }), maxRetries: 0 }));
    expect(NoObjectGeneratedError.isInstance(error)).toBe(true);
    const content: unknown = JSON.parse((error as NoObjectGeneratedError).text ?? '');
    expect(Recipe.safeParse(content).success).toBe(false);
    expect(server.stats().timeline[0]).toMatchObject({ status: 200, fault: 'schemaViolation' });
  });
});

describe('answers', () => {
  test('the same prompt and seed give the same answer; another seed gives another', async () => {
    const server = await startServer({ seed: 7 });
    const ask = async (): Promise<unknown> =>
      (await generateText({ model: openaiModel(server), prompt: 'A soup recipe', output: Output.object({ schema: Recipe }), maxRetries: 0 })).output;
    const first = await ask();
    expect(await ask()).toEqual(first);
    server.configure({ seed: 8 });
    expect(await ask()).not.toEqual(first);
  });

  test('JSON mode without a schema answers a small JSON object', async () => {
    const server = await startServer();
    const result = await generateText({ model: openaiModel(server), prompt: 'Anything', output: Output.json(), maxRetries: 0 });
    expect(result.output).toEqual({ answer: expect.any(String) });
  });
});

describe('rules', () => {
  test('json is the content, text is verbatim, and the first matching rule wins', async () => {
    const server = await startServer({
      rules: [
        { match: /cobalt/i, json: { title: 'Cobalt', tags: ['blue', 'metal'], servings: 1, difficulty: null, published: '2024-01-02', author: { name: 'Ada', isChef: false } } },
        { match: 'cobalt', text: 'never used: the rule above matches first' },
        { match: 'broken', text: '{"title": "Bro' },
      ],
    });
    const cobalt = await generateText({ model: openaiModel(server), prompt: 'About cobalt', output: Output.object({ schema: Recipe }), maxRetries: 0 });
    expect(cobalt.output.title).toBe('Cobalt');

    const error = await failureOf(generateText({ model: openaiModel(server), prompt: 'broken please', output: Output.object({ schema: Recipe }), maxRetries: 0 }));
    expect((error as NoObjectGeneratedError).text).toBe('{"title": "Bro');
  });

  test('times limits a rule to its first matches; status and retryAfterSeconds script an error', async () => {
    const server = await startServer({ rules: [{ match: 'iron', status: 429, retryAfterSeconds: 3, times: 1 }] });
    const error = await apiCallErrorOf(generateText({ model: openaiModel(server), prompt: 'iron', maxRetries: 0 }));
    expect(error.statusCode).toBe(429);
    expect(error.responseHeaders).toMatchObject({ 'retry-after': '3', 'retry-after-ms': '3000' });

    await expect(generateText({ model: openaiModel(server), prompt: 'iron', maxRetries: 0 })).resolves.toBeDefined();
    expect(server.stats().timeline.map((request) => request.status)).toEqual([429, 200]);
  });

  test('a RegExp rule with the g flag matches every time, not every other time', async () => {
    const server = await startServer({ rules: [{ match: /steel/g, text: 'scripted steel' }] });
    for (const attempt of [1, 2, 3]) {
      const result = await generateText({ model: openaiModel(server), prompt: `steel ${attempt}`, maxRetries: 0 });
      expect(result.text).toBe('scripted steel');
    }
  });

  test('rules match against the system prompt too', async () => {
    const server = await startServer({ rules: [{ match: /^You are terse/, text: 'ok' }] });
    const result = await generateText({ model: openaiModel(server), system: 'You are terse.', prompt: 'Hi', maxRetries: 0 });
    expect(result.text).toBe('ok');
  });
});

describe('limits', () => {
  test('a request refused by tpm does not count toward the window', async () => {
    // each short prompt is 2 prompt + ~15 completion tokens; the long one alone exceeds the limit
    const server = await startServer({ tpm: 60, rules: [{ match: 'short', text: 'ok' }] });
    await generateText({ model: openaiModel(server), prompt: 'short one', maxRetries: 0 });
    const error = await apiCallErrorOf(generateText({ model: openaiModel(server), prompt: 'long '.repeat(60), maxRetries: 0 }));
    expect(error.statusCode).toBe(429);
    expect(error.responseHeaders?.['x-ratelimit-limit-tokens']).toBe('60');
    await expect(generateText({ model: openaiModel(server), prompt: 'short two', maxRetries: 0 })).resolves.toBeDefined();
    expect(server.stats().timeline.map((request) => request.status)).toEqual([200, 429, 200]);
  });

  test('requests beyond maxConcurrent in flight get 429', async () => {
    const server = await startServer({ maxConcurrent: 1, rules: [{ match: 'slow', fault: 'hang' }] });
    const controller = new AbortController();
    const hanging = failureOf(generateText({ model: openaiModel(server), prompt: 'slow', maxRetries: 0, abortSignal: controller.signal }));
    await vi.waitFor(() => expect(server.stats().requests).toBe(1));

    const error = await apiCallErrorOf(generateText({ model: openaiModel(server), prompt: 'fast', maxRetries: 0 }));
    expect(error.statusCode).toBe(429);
    expect(JSON.parse(error.responseBody ?? '')).toMatchObject(OPENAI_429);
    controller.abort();
    await hanging;

    await vi.waitFor(() => expect(server.stats().timeline[0]?.end).toBeGreaterThan(0));
    await expect(generateText({ model: openaiModel(server), prompt: 'fast', maxRetries: 0 })).resolves.toBeDefined();
    expect(server.stats()).toMatchObject({ maxConcurrent: 2, byStatus: { '0': 1, '429': 1, '200': 1 } });
  });
});

describe('rate-limit signals', () => {
  test('rate headers say what is left and when the budget is whole again (when the newest request leaves)', async () => {
    const server = await startServer({ rpm: 3, tpm: 10_000, windowMs: 2_000 });
    await generateText({ model: openaiModel(server), prompt: 'one', maxRetries: 0 });
    const second = await generateText({ model: openaiModel(server), prompt: 'two', maxRetries: 0 });
    const headers = second.response.headers ?? {};
    expect(headers).toMatchObject({ 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-limit-tokens': '10000' });
    const { start } = server.stats().timeline[1]!;
    const resetMs = parseResetMs(headers['x-ratelimit-reset-requests']!);
    // the second request arrived at `start`: the window is empty again 2 s later
    expect(Date.now() + resetMs).toBeGreaterThanOrEqual(start + 2_000);
    expect(Date.now() + resetMs).toBeLessThanOrEqual(start + 2_000 + 50);
    expect(Number(headers['x-ratelimit-remaining-tokens'])).toBe(10_000 - server.stats().timeline.reduce((sum, request) => sum + request.promptTokens + request.completionTokens, 0));
  });

  test('Anthropic headers reset at an RFC 3339 time rounded up to the second', async () => {
    const server = await startServer({ rpm: 5, tpm: 1_000, windowMs: 1_500 });
    const model = createAnthropic({ baseURL: server.anthropicBaseURL, apiKey: 'test' })('claude-sonnet-4-5');
    const answer = await generateText({ model, prompt: 'one', maxRetries: 0 });
    const headers = answer.response.headers ?? {};
    expect(headers).toMatchObject({ 'anthropic-ratelimit-requests-limit': '5', 'anthropic-ratelimit-requests-remaining': '4', 'anthropic-ratelimit-tokens-limit': '1000' });
    const resetAt = Date.parse(headers['anthropic-ratelimit-requests-reset']!);
    expect(resetAt % 1_000).toBe(0);
    expect(resetAt).toBeGreaterThanOrEqual(server.stats().timeline[0]!.start + 1_500);
  });

  test('with retryAfterMs off, delays are whole seconds, rounded up, in headers and in bodies', async () => {
    const server = await startServer({ rpm: 1, windowMs: 1_500, retryAfterMs: false });
    const gemini = createGoogleGenerativeAI({ baseURL: server.geminiBaseURL, apiKey: 'test' })('gemini-test');
    await generateText({ model: openaiModel(server), prompt: 'one', maxRetries: 0 });
    const openaiError = await apiCallErrorOf(generateText({ model: openaiModel(server), prompt: 'two', maxRetries: 0 }));
    expect(openaiError.responseHeaders).toMatchObject({ 'retry-after': '2' });
    expect(openaiError.responseHeaders?.['retry-after-ms']).toBeUndefined();
    expect(openaiError.responseBody).toContain('Please try again in 2s.');
    const geminiError = await apiCallErrorOf(generateText({ model: gemini, prompt: 'three', maxRetries: 0 }));
    expect(JSON.parse(geminiError.responseBody ?? '').error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' });
  });

  test('a per-day quota: past rpd, a 429 that names the day quota; the next day admits again', async () => {
    const dayMs = 1_000;
    const server = await startServer({ rpd: 2, dayMs });
    const gemini = createGoogleGenerativeAI({ baseURL: server.geminiBaseURL, apiKey: 'test' })('gemini-test');
    await generateText({ model: openaiModel(server), prompt: 'one', maxRetries: 0 });
    await generateText({ model: gemini, prompt: 'two', maxRetries: 0 });
    const openaiError = await apiCallErrorOf(generateText({ model: openaiModel(server), prompt: 'three', maxRetries: 0 }));
    expect(openaiError.statusCode).toBe(429);
    expect(JSON.parse(openaiError.responseBody ?? '').error.message).toMatch(/on requests per day \(RPD\): Limit 2, Used 2, Requested 1\. Please try again in \d+(\.\d+)?s\./);
    const geminiError = await apiCallErrorOf(generateText({ model: gemini, prompt: 'four', maxRetries: 0 }));
    const details = JSON.parse(geminiError.responseBody ?? '').error.details as { violations?: { quotaId: string; quotaValue: string }[]; retryDelay?: string }[];
    expect(details.flatMap((detail) => detail.violations ?? [])).toEqual([expect.objectContaining({ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaValue: '2' })]);
    const retryDelayMs = Number.parseFloat(details.find((detail) => detail.retryDelay)!.retryDelay!) * 1000;
    expect(retryDelayMs).toBeLessThanOrEqual(dayMs);
    // the fake said when its day ends: wait exactly that long
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs + 20));
    await expect(generateText({ model: openaiModel(server), prompt: 'five', maxRetries: 0 })).resolves.toBeDefined();
  });
});

/** `250ms`, `1.5s`, `1m2s` as the fake's OpenAI headers print them. */
function parseResetMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|m|s)/g)) total += Number(amount) * (unit === 'ms' ? 1 : unit === 's' ? 1_000 : 60_000);
  return total;
}

describe('faults', () => {
  test('reset destroys the connection without an answer', async () => {
    const server = await startServer({ faults: { reset: 1 } });
    const error = await failureOf(generateText({ model: openaiModel(server), prompt: 'hello', maxRetries: 0 }));
    expect(APICallError.isInstance(error) && error.statusCode !== undefined).toBe(false);
    await vi.waitFor(() => expect(server.stats().timeline[0]).toMatchObject({ status: 0, fault: 'reset', end: expect.any(Number) }));
  });

  test('hang never answers until the client goes away, and close() still closes', async () => {
    const server = await startFakeProvider({ faults: { hang: 1 } });
    const controller = new AbortController();
    const call = failureOf(generateText({ model: openaiModel(server), prompt: 'hello', maxRetries: 0, abortSignal: controller.signal }));
    await vi.waitFor(() => expect(server.stats().requests).toBe(1));
    expect(server.stats().timeline[0]).toMatchObject({ status: 0, end: 0, fault: 'hang' });

    controller.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(server.stats().timeline[0]?.end).toBeGreaterThan(0));

    const stillHanging = failureOf(generateText({ model: openaiModel(server), prompt: 'again', maxRetries: 0 }));
    await vi.waitFor(() => expect(server.stats().requests).toBe(2));
    await server.close(); // resolves although a request still hangs
    await stillHanging;
  });

  test('malformedBody answers HTTP 200 with a body that is not JSON, plain and streamed', async () => {
    const server = await startServer({ faults: { malformedBody: 1 } });
    const response = await fetch(`${server.openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(() => JSON.parse(body)).toThrow();

    await expect(generateText({ model: openaiModel(server), prompt: 'hello', maxRetries: 0 })).rejects.toThrow();
    const streamed = streamText({ model: openaiModel(server), prompt: 'hello', maxRetries: 0, onError: () => {} });
    const parts: string[] = [];
    for await (const part of streamed.fullStream) parts.push(part.type);
    expect(parts).toContain('error');
  });

  test('fault draws are seeded: the same sequence after reset()', async () => {
    const server = await startServer({ faults: { status5xx: 0.5 } });
    const statuses = async (): Promise<number[]> => {
      for (let index = 0; index < 12; index += 1) {
        await generateText({ model: openaiModel(server), prompt: `call ${index}`, maxRetries: 0 }).catch(() => undefined);
      }
      return server.stats().timeline.map((request) => request.status);
    };
    const first = await statuses();
    expect(new Set(first)).toEqual(new Set([200, 503]));
    server.reset();
    expect(await statuses()).toEqual(first);
  });
});

describe('observability and control', () => {
  test('/__stats mirrors stats(); /__config changes behaviour live; /__reset clears', async () => {
    const server = await startServer();
    await generateText({ model: openaiModel(server), system: 'sys', prompt: 'one', maxRetries: 0 });
    const viaHttp: unknown = await (await fetch(`${server.url}/__stats`)).json();
    expect(viaHttp).toEqual(server.stats());
    expect(server.stats()).toMatchObject({
      requests: 1,
      byStatus: { '200': 1 },
      maxConcurrent: 1,
      timeline: [{ id: 1, wire: 'openai', model: 'gpt-test', path: '/v1/chat/completions', status: 200, prompt: 'sys\none', promptTokens: 2, cachedTokens: 0 }],
    });
    const [entry] = server.stats().timeline;
    expect(entry!.end).toBeGreaterThanOrEqual(entry!.start);

    const configured = await fetch(`${server.url}/__config`, {
      method: 'POST',
      body: JSON.stringify({ rules: [{ match: { regex: 'TWO', flags: 'i' }, text: 'scripted' }] }),
    });
    expect(configured.status).toBe(200);
    expect((await generateText({ model: openaiModel(server), prompt: 'two', maxRetries: 0 })).text).toBe('scripted');

    await fetch(`${server.url}/__reset`, { method: 'POST' });
    expect(server.stats()).toEqual({ requests: 0, byStatus: {}, maxConcurrent: 0, timeline: [] });
  });

  test('an invalid config is refused with 400 and changes nothing', async () => {
    const server = await startServer();
    const response = await fetch(`${server.url}/__config`, { method: 'POST', body: JSON.stringify({ faults: { meteor: 1 } }) });
    expect(response.status).toBe(400);
    expect(() => server.configure({ faults: { reset: 2 } })).toThrow(/between 0 and 1/);
    await expect(generateText({ model: openaiModel(server), prompt: 'fine', maxRetries: 0 })).resolves.toBeDefined();
  });

  test('main.ts runs the server in its own process and prints its url', async () => {
    const entry = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--port', '0', '--rpm', '1', '--window-ms', '6000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { url, openaiBaseURL } = JSON.parse(line) as { url: string; openaiBaseURL: string };
    expect(openaiBaseURL).toBe(`${url}/v1`);

    const model = createOpenAI({ baseURL: openaiBaseURL, apiKey: 'sk-test' }).chat('gpt-test');
    await generateText({ model, prompt: 'one', maxRetries: 0 });
    expect((await apiCallErrorOf(generateText({ model, prompt: 'two', maxRetries: 0 }))).statusCode).toBe(429);
    const stats = (await (await fetch(`${url}/__stats`)).json()) as { byStatus: Record<string, number> };
    expect(stats.byStatus).toEqual({ '200': 1, '429': 1 });

    child.kill('SIGTERM');
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    expect(exitCode).toBe(0);
  });
});
