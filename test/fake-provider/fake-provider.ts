import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeReply, corruptReply } from './compose-reply.js';
import { estimateTokens } from './estimate-tokens.js';
import { isRecord } from './json-schema.js';
import { FAULT_KINDS, pickFault, type FaultKind, type FaultRates } from './pick-fault.js';
import { createPromptCache } from './prompt-cache.js';
import { createRateWindow } from './rate-window.js';
import { createSeededRandom } from './seeded-random.js';
import {
  InvalidWireRequestError,
  type ModelReply,
  type ModelRequest,
  type RateLimitHit,
  type ServerSentEvent,
  type Wire,
  type WireAnswer,
  type WireName,
} from './wire.js';
import { anthropicWire } from './wires/anthropic.js';
import { geminiWire } from './wires/gemini.js';
import { openaiWire } from './wires/openai.js';

/** Scripts the answer to prompts that match. The first matching rule with uses left wins. */
export interface FakeRule {
  /** Tested against the whole flattened prompt (system included); a string matches as a substring. */
  match: RegExp | string;
  /** Returned verbatim as the model's content, e.g. broken JSON on purpose. */
  text?: string;
  /** Serialised as the model's content (or tool arguments). Wins over `text`. */
  json?: unknown;
  /** Answer with this HTTP status and the wire's error body instead (ignored when 2xx). */
  status?: number;
  /** The error message sent with `status`, e.g. one that echoes the key as some providers do. */
  message?: string;
  /** Sent as `Retry-After` (and `retry-after-ms`) with `status`. */
  retryAfterSeconds?: number;
  /** Forces this fault for matching requests. */
  fault?: FaultKind;
  /** Applies to the first n matching requests only; later ones fall through to the next rule. */
  times?: number;
  /** Extra latency for matching requests. */
  delayMs?: number;
}

/** Behaviour that can change while the server runs (`configure`, `POST /__config`). */
export interface FakeProviderOptions {
  /** Seeds generated answers and the fault draws. @default 1 */
  seed?: number;
  /** Base latency of every answered request. @default 0 */
  latencyMs?: number;
  /** Extra latency per completion token; streams spread it over their chunks. @default 0 */
  latencyPerTokenMs?: number;
  /** Requests per window; over it, 429 (see `rateLimitSignals`). Unset: unlimited. */
  rpm?: number;
  /** Prompt + completion tokens per window, counted at arrival. Unset: unlimited. */
  tpm?: number;
  /** Length of the sliding rpm/tpm window; headers and 429 bodies call it a minute. @default 60000 */
  windowMs?: number;
  /**
   * What the provider says about its limits. `'full'`, as real providers do: rate-limit headers on every
   * OpenAI and Anthropic answer while rpm or tpm is set (`x-ratelimit-*`, `anthropic-ratelimit-*`), and a
   * 429 body naming the limit (Gemini's QuotaFailure + RetryInfo, without a Retry-After header; OpenAI's and
   * Anthropic's messages stating it, with Retry-After). `'retry-after'`: a 429 with Retry-After (and
   * `retry-after-ms`, see `retryAfterMs`) and a message that names no limit; no rate-limit headers.
   * @default 'full'
   */
  rateLimitSignals?: 'full' | 'retry-after';
  /** Also send the exact `retry-after-ms` (and exact retry delays in bodies); off: whole seconds only, rounded up. @default true */
  retryAfterMs?: boolean;
  /** Requests per day: over it, a per-day quota 429 (named as such in the body under `'full'` signals). Unset: none. */
  rpd?: number;
  /** Length of the fake's day, so tests can see a daily quota reset. @default 86400000 */
  dayMs?: number;
  /** Requests in flight beyond this get 429. Unset: unlimited. */
  maxConcurrent?: number;
  /** Per-request fault probabilities. @default {} */
  faults?: FaultRates;
  /** Scripted answers, first match wins. @default [] */
  rules?: FakeRule[];
  /** Report the longest earlier shared prompt prefix (≥ 64 tokens) as cached input tokens. @default false */
  promptCaching?: boolean;
}

export interface StartFakeProviderOptions extends FakeProviderOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
}

/** One model request as it reached the wire. */
export interface TimelineEntry {
  id: number;
  wire: WireName;
  model: string;
  path: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms; 0 while in flight. */
  end: number;
  /** HTTP status; 0 while in flight, and after it when no answer was sent (reset, hang, client gone). */
  status: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** The flattened prompt text. */
  prompt: string;
  /** The request body as the SDK sent it, for tests of wire details (cache breakpoints, schemas). */
  body: unknown;
  fault?: FaultKind;
}

export interface FakeProviderStats {
  /** Model requests received, including rejected ones. */
  requests: number;
  /** Finished requests per HTTP status (`'0'`: no answer). */
  byStatus: Record<string, number>;
  /** The most model requests that were in flight at once, rejected ones included. */
  maxConcurrent: number;
  timeline: TimelineEntry[];
}

export interface FakeProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** `${url}/v1`, for `createOpenAI` / `createOpenAICompatible`. */
  openaiBaseURL: string;
  /** `${url}/v1beta`, for `createGoogleGenerativeAI`. */
  geminiBaseURL: string;
  /** `${url}/v1`, for `createAnthropic`. */
  anthropicBaseURL: string;
  /** Changes behaviour live; given keys replace the current ones (`undefined` unsets a limit). */
  configure(options: FakeProviderOptions): void;
  /** A snapshot of what reached the wire. */
  stats(): FakeProviderStats;
  /** Clears stats, rate windows, the prompt cache and rule counts, and restarts the fault sequence. */
  reset(): void;
  /** Closes the server and every connection, hung ones included. */
  close(): Promise<void>;
}

/** A configuration the fake cannot run with (bad rate, unknown fault, negative latency). */
export class FakeProviderConfigError extends Error {
  override name = 'FakeProviderConfigError';
}

const WIRES: readonly Wire[] = [openaiWire, geminiWire, anthropicWire];
/** Streams split completions into pieces of about four tokens, as providers do. */
const PIECE_CHARACTERS = 16;

interface ActiveRule {
  rule: FakeRule;
  matches(prompt: string): boolean;
  uses: number;
}

/**
 * Starts a loopback HTTP server that speaks the OpenAI chat, Gemini and Anthropic Messages wires well
 * enough for the official AI SDK clients, with scripted answers, rate limits and faults.
 *
 * @example
 * const server = await startFakeProvider({ rpm: 60, rules: [{ match: /cobalt/, status: 500 }] });
 * onTestFinished(() => server.close());
 * const model = createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'test' }).chat('gpt-test');
 */
export async function startFakeProvider({ host = '127.0.0.1', port = 0, ...initial }: StartFakeProviderOptions = {}): Promise<FakeProvider> {
  let options: FakeProviderOptions = {};
  let rules: ActiveRule[] = [];
  let faultRandom = createSeededRandom(1);
  let timeline: TimelineEntry[] = [];
  let byStatus: Record<string, number> = {};
  let peakInFlight = 0;
  let inFlight = 0;
  let acceptedInFlight = 0;
  let nextId = 1;
  let generation = 0; // entries from before a reset() must not count after it
  const rateWindow = createRateWindow();
  let dayStartedAt = Date.now();
  let requestsToday = 0;
  const promptCache = createPromptCache();

  const configure = (partial: FakeProviderOptions): void => {
    const next: FakeProviderOptions = { ...options, ...partial };
    validateOptions(next);
    options = next;
    if ('rules' in partial) rules = (partial.rules ?? []).map(activateRule);
    if ('seed' in partial) faultRandom = createSeededRandom(options.seed ?? 1);
  };
  configure({ seed: 1, ...initial });

  const finish = (entry: TimelineEntry, entryGeneration: number, status: number): void => {
    if (entry.end !== 0) return;
    entry.end = Date.now();
    entry.status = status;
    if (entryGeneration === generation) byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  };

  const handleModelRequest = async (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    wire: Wire,
    fromPath: { model?: string; isStreaming?: boolean },
    pathname: string,
  ): Promise<void> => {
    const text = await readBody(request);
    let modelRequest: ModelRequest;
    let body: unknown;
    try {
      body = JSON.parse(text);
      modelRequest = wire.parseRequest(body, fromPath);
    } catch (error) {
      const message = error instanceof InvalidWireRequestError ? error.message : 'the request body is not valid JSON';
      sendJson(response, 400, wire.buildError(400, message));
      return;
    }

    const entryGeneration = generation;
    const promptTokens = estimateTokens(modelRequest.prompt);
    const entry: TimelineEntry = {
      id: nextId++,
      wire: wire.name,
      model: modelRequest.model,
      path: pathname,
      start: Date.now(),
      end: 0,
      status: 0,
      promptTokens,
      completionTokens: 0,
      cachedTokens: 0,
      prompt: modelRequest.prompt,
      body,
    };
    timeline.push(entry);
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    let isAccepted = false;
    const gone = new AbortController(); // ends every wait once the client is gone or the answer is sent
    response.on('close', () => {
      inFlight -= 1;
      if (isAccepted) acceptedInFlight -= 1;
      gone.abort();
      finish(entry, entryGeneration, response.headersSent ? response.statusCode : 0);
    });

    const isFullSignals = (options.rateLimitSignals ?? 'full') === 'full';
    const isExact = options.retryAfterMs ?? true;
    const rateHeaders = (): Record<string, string> => {
      if (!isFullSignals || (options.rpm === undefined && options.tpm === undefined)) return {};
      const windowMs = options.windowMs ?? 60_000;
      return wire.buildRateHeaders({ rpm: options.rpm, tpm: options.tpm, ...rateWindow.snapshot(windowMs), now: Date.now() });
    };
    const sendError = (status: number, message: string, headers: Record<string, string> = {}): void => {
      finish(entry, entryGeneration, status);
      sendJson(response, status, wire.buildError(status, message), { ...rateHeaders(), ...headers });
    };
    const sendRateLimited = (hit: Omit<RateLimitHit, 'model' | 'retryAfterMs'> & { retryAfterMs: number }): void => {
      // whole seconds, rounded up, unless the exact delay is on: a client must never be told too early
      const retryAfterMs = isExact ? Math.max(1, Math.ceil(hit.retryAfterMs)) : Math.max(1, Math.ceil(hit.retryAfterMs / 1000)) * 1000;
      const headers = retryAfterHeaders(retryAfterMs, isExact);
      if (!isFullSignals) {
        sendError(429, 'Rate limit reached. Please try again later.', headers);
        return;
      }
      finish(entry, entryGeneration, 429);
      const body = wire.buildRateLimitError({ ...hit, retryAfterMs, model: modelRequest.model });
      sendJson(response, 429, body, { ...rateHeaders(), ...(wire.name === 'gemini' ? {} : headers) });
    };

    if (options.maxConcurrent !== undefined && acceptedInFlight >= options.maxConcurrent) {
      sendError(429, `Too many concurrent requests: at most ${options.maxConcurrent} may be in flight.`, retryAfterHeaders(1000, isExact));
      return;
    }

    const now = Date.now();
    const dayMs = options.dayMs ?? 86_400_000;
    if (now - dayStartedAt >= dayMs) {
      dayStartedAt += Math.floor((now - dayStartedAt) / dayMs) * dayMs;
      requestsToday = 0;
    }
    if (options.rpd !== undefined && requestsToday >= options.rpd) {
      sendRateLimited({ unit: 'requests', period: 'day', limit: options.rpd, used: requestsToday, requested: 1, retryAfterMs: dayStartedAt + dayMs - now });
      return;
    }

    const activeRule = rules.find((candidate) => (candidate.rule.times === undefined || candidate.uses < candidate.rule.times) && candidate.matches(modelRequest.prompt));
    const rule = activeRule?.rule;
    let reply = composeReply(modelRequest, { seed: options.seed ?? 1, scripted: rule });
    const arrivalTokens = promptTokens + estimateTokens(replyContent(reply));
    const windowMs = options.windowMs ?? 60_000;
    const before = rateWindow.snapshot(windowMs);
    const admission = rateWindow.admit(arrivalTokens, { rpm: options.rpm, tpm: options.tpm, windowMs });
    if (!admission.isAdmitted) {
      const isRequests = admission.limit === 'requests';
      sendRateLimited({
        unit: admission.limit,
        period: 'minute',
        limit: (isRequests ? options.rpm : options.tpm) ?? 0,
        used: isRequests ? before.requests : before.tokens,
        requested: isRequests ? 1 : arrivalTokens,
        retryAfterMs: admission.retryAfterMs,
      });
      return;
    }
    requestsToday += 1;

    isAccepted = true;
    acceptedInFlight += 1;
    if (activeRule) activeRule.uses += 1;
    const cachedTokens = options.promptCaching === true ? promptCache.cachedTokens(modelRequest.prompt) : 0;
    promptCache.remember(modelRequest.prompt);
    const roll = faultRandom.next(); // drawn for every accepted request so the fault sequence never shifts
    const isScriptedError = rule?.status !== undefined && rule.status >= 300;
    let fault = isScriptedError ? undefined : (rule?.fault ?? pickFault(roll, options.faults ?? {}));
    if (fault === 'malformedJson' || fault === 'schemaViolation') {
      const corrupted = corruptReply(modelRequest, reply, fault);
      if (corrupted === undefined) fault = undefined;
      else reply = corrupted;
    }
    if (fault !== undefined) entry.fault = fault;

    await wait((options.latencyMs ?? 0) + (rule?.delayMs ?? 0), gone.signal);
    if (gone.signal.aborted) return;

    if (isScriptedError && rule?.status !== undefined) {
      const headers = rule.retryAfterSeconds === undefined ? {} : retryAfterHeaders(rule.retryAfterSeconds * 1000, true);
      sendError(rule.status, rule.message ?? `Scripted failure (status ${rule.status}) for this prompt.`, headers);
      return;
    }
    if (fault === 'status5xx') {
      sendError(503, 'The service is temporarily overloaded. Please try again later.');
      return;
    }
    if (fault === 'reset' || (fault === 'cutMidStream' && !modelRequest.isStreaming)) {
      request.socket.destroy();
      return;
    }
    if (fault === 'hang') return; // the close handler records the end when the client gives up

    const completionTokens = estimateTokens(replyContent(reply));
    entry.completionTokens = completionTokens;
    entry.cachedTokens = cachedTokens;
    const answer: WireAnswer = {
      id: entry.id,
      request: modelRequest,
      reply,
      usage: { promptTokens, completionTokens, cachedTokens },
      created: Math.floor(entry.start / 1000),
    };
    const perTokenMs = options.latencyPerTokenMs ?? 0;
    const isBroken = fault === 'malformedBody';

    if (!modelRequest.isStreaming) {
      await wait(perTokenMs * completionTokens, gone.signal);
      if (gone.signal.aborted) return;
      const body = JSON.stringify(wire.buildResponse(answer));
      finish(entry, entryGeneration, 200);
      response.writeHead(200, { 'content-type': 'application/json', ...rateHeaders() });
      response.end(isBroken ? body.slice(0, Math.floor(body.length / 2)) : body);
      return;
    }

    const events = wire.buildStream(answer, splitIntoPieces(replyContent(reply)));
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...rateHeaders() });
    // a malformed stream breaks its second event (the first for one-event streams) and stops there
    const brokenIndex = isBroken ? Math.min(1, events.length - 1) : -1;
    // a cut stream sends at least one event, so the client has seen the answer start
    const cutIndex = fault === 'cutMidStream' ? Math.max(1, Math.floor(events.length / 2)) : -1;
    for (const [index, event] of events.entries()) {
      if (index === cutIndex) break;
      if (event.tokens !== undefined) await wait(perTokenMs * event.tokens, gone.signal);
      if (gone.signal.aborted) return;
      if (index === brokenIndex) {
        const data = JSON.stringify(event.data);
        response.write(`${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${data.slice(0, Math.floor(data.length / 2))}\n\n`);
        break;
      }
      response.write(serializeEvent(event));
    }
    if (cutIndex >= 0) {
      // what was written reaches the client before the connection drops, as on a real network
      await new Promise<void>((resolve) => response.write('', () => resolve()));
      finish(entry, entryGeneration, 0); // the answer never completed
      request.socket.destroy();
      return;
    }
    finish(entry, entryGeneration, 200);
    response.end();
  };

  const handleControlRequest = async (request: http.IncomingMessage, response: http.ServerResponse, pathname: string): Promise<void> => {
    if (pathname === '/__stats' && request.method === 'GET') {
      sendJson(response, 200, stats());
    } else if (pathname === '/__reset' && request.method === 'POST') {
      reset();
      sendJson(response, 200, { ok: true });
    } else if (pathname === '/__config' && request.method === 'POST') {
      try {
        configure(readJsonConfig(JSON.parse(await readBody(request))));
        sendJson(response, 200, { ok: true });
      } catch (error) {
        sendJson(response, 400, { error: { message: error instanceof Error ? error.message : String(error) } });
      }
    } else {
      sendJson(response, 404, { error: { message: `no route for ${request.method} ${pathname}` } });
    }
  };

  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://fake.invalid');
    const route = WIRES.map((wire) => ({ wire, fromPath: wire.matchPath(pathname) })).find((candidate) => candidate.fromPath !== undefined);
    const handled =
      route?.fromPath !== undefined && request.method === 'POST'
        ? handleModelRequest(request, response, route.wire, route.fromPath, pathname)
        : handleControlRequest(request, response, pathname);
    handled.catch((error: unknown) => {
      // a bug in the fake must surface as a 500 the test sees, not as a hung request
      if (!response.headersSent) sendJson(response, 500, { error: { message: `fake provider failed: ${String(error)}` } });
      else response.destroy();
    });
  });

  const stats = (): FakeProviderStats =>
    structuredClone({ requests: timeline.length, byStatus, maxConcurrent: peakInFlight, timeline });

  const reset = (): void => {
    generation += 1;
    timeline = [];
    byStatus = {};
    peakInFlight = inFlight;
    rateWindow.clear();
    dayStartedAt = Date.now();
    requestsToday = 0;
    promptCache.clear();
    for (const rule of rules) rule.uses = 0;
    faultRandom = createSeededRandom(options.seed ?? 1);
  };

  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url,
    port: address.port,
    openaiBaseURL: `${url}/v1`,
    geminiBaseURL: `${url}/v1beta`,
    anthropicBaseURL: `${url}/v1`,
    configure,
    stats,
    reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // hung requests would otherwise keep close() waiting forever
      }),
  };
}

function activateRule(rule: FakeRule): ActiveRule {
  if (typeof rule.match === 'string') {
    const needle = rule.match;
    return { rule, matches: (prompt) => prompt.includes(needle), uses: 0 };
  }
  // a copy without g/y: those flags make test() stateful through lastIndex
  const pattern = new RegExp(rule.match.source, rule.match.flags.replace(/[gy]/g, ''));
  return { rule, matches: (prompt) => pattern.test(prompt), uses: 0 };
}

function validateOptions(options: FakeProviderOptions): void {
  const nonNegative = ['latencyMs', 'latencyPerTokenMs', 'rpm', 'tpm', 'maxConcurrent', 'rpd'] as const;
  for (const key of nonNegative) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new FakeProviderConfigError(`${key} must be a number ≥ 0, got ${String(value)}`);
    }
  }
  for (const key of ['windowMs', 'dayMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(value > 0)) throw new FakeProviderConfigError(`${key} must be > 0, got ${String(value)}`);
  }
  if (options.rateLimitSignals !== undefined && !['full', 'retry-after'].includes(options.rateLimitSignals)) {
    throw new FakeProviderConfigError(`rateLimitSignals must be 'full' or 'retry-after', got ${String(options.rateLimitSignals)}`);
  }
  for (const [kind, rate] of Object.entries(options.faults ?? {})) {
    if (!FAULT_KINDS.includes(kind as FaultKind)) {
      throw new FakeProviderConfigError(`unknown fault '${kind}': use one of ${FAULT_KINDS.join(', ')}`);
    }
    if (!(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new FakeProviderConfigError(`fault rate ${kind} must be between 0 and 1, got ${String(rate)}`);
    }
  }
  for (const rule of options.rules ?? []) {
    if (typeof rule.match !== 'string' && !(rule.match instanceof RegExp)) {
      throw new FakeProviderConfigError('a rule needs match: a RegExp or a substring');
    }
    if (rule.fault !== undefined && !FAULT_KINDS.includes(rule.fault)) {
      throw new FakeProviderConfigError(`unknown fault '${String(rule.fault)}' in a rule`);
    }
  }
}

/**
 * Options from JSON (`POST /__config`, the CLI): null unsets a key, and a rule's `match` may also be
 * `{ "regex": "...", "flags": "i" }`, since JSON has no RegExp.
 *
 * @example
 * readJsonConfig({ rpm: null, rules: [{ match: { regex: 'cobalt', flags: 'i' }, status: 500 }] });
 */
export function readJsonConfig(json: unknown): FakeProviderOptions {
  if (!isRecord(json)) throw new FakeProviderConfigError('the config must be a JSON object');
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) options[key] = value === null ? undefined : value;
  if (Array.isArray(json.rules)) {
    options.rules = json.rules.map((rule) => {
      if (!isRecord(rule)) throw new FakeProviderConfigError('each rule must be an object');
      const match = isRecord(rule.match) && typeof rule.match.regex === 'string'
        ? new RegExp(rule.match.regex, typeof rule.match.flags === 'string' ? rule.match.flags : '')
        : rule.match;
      return { ...rule, match };
    });
  }
  return options as FakeProviderOptions;
}

function replyContent(reply: ModelReply): string {
  return reply.type === 'text' ? reply.text : reply.argumentsText;
}

function splitIntoPieces(text: string): string[] {
  const characters = Array.from(text); // by code point, so no piece ends inside a surrogate pair
  const pieces: string[] = [];
  for (let index = 0; index < characters.length; index += PIECE_CHARACTERS) {
    pieces.push(characters.slice(index, index + PIECE_CHARACTERS).join(''));
  }
  return pieces;
}

function serializeEvent({ event, data }: ServerSentEvent): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`;
}

/** Retry-After in whole seconds (rounded up, at least 1), plus the exact `retry-after-ms` the AI SDK prefers when `isExact`. */
function retryAfterHeaders(milliseconds: number, isExact: boolean): Record<string, string> {
  return {
    'retry-after': String(Math.max(1, Math.ceil(milliseconds / 1000))),
    ...(isExact && { 'retry-after-ms': String(Math.max(1, Math.ceil(milliseconds))) }),
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits, but never past the client leaving (or close()); a zero wait stays synchronous-fast. */
async function wait(milliseconds: number, signal: AbortSignal): Promise<void> {
  if (milliseconds <= 0 || signal.aborted) return;
  try {
    await sleep(milliseconds, undefined, { signal });
  } catch {
    // aborted: the caller checks signal.aborted
  }
}
