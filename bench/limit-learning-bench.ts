import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModel } from 'ai';
import { createLimiterRegistry, createRuntime, openLimitsFile, QuotaExhaustedError, type RateLimits, type Runtime } from '../src/index.js';
import { generateFaq } from '../src/workflows/faq/generate-faq.js';
import type { SourceDocument } from '../src/workflows/faq/load-documents.js';
import type { FakeProvider, StartFakeProviderOptions } from '../test/fake-provider/index.js';
import { loadSampleDocuments, questionRules, runFaqWithAiSdk } from './faq-chain-workload.js';
import { formatNumber, formatPercent, formatRatio, type BenchTable } from './print-table.js';
import type { TargetCheck } from './target-check.js';
import { withFakeProvider } from './with-fake-provider.js';

export interface LimitBenchOptions {
  /** FAQ entries asked for. @default 8 */
  questions?: number;
  /** The fake's latency per request. @default 300 */
  latencyMs?: number;
  /** The provider's limit: a sliding window. @default { rpm: 3, windowMs: 3000 } */
  rateLimit?: { rpm: number; windowMs: number };
  /** The p-limit baseline's bound. @default 4 */
  boundedConcurrency?: number;
  /** @default 42 */
  seed?: number;
  /** No contender runs longer than this. @default 180_000 */
  deadlineMs?: number;
  onProgress?: (line: string) => void;
}

export interface LimitBenchReport {
  tables: BenchTable[];
  targets: TargetCheck[];
}

interface ContenderRun {
  label: string;
  wallMs: number;
  entries: number;
  requests: number;
  rateLimited: number;
  /** 429s of requests that reached the provider after the first 429 had been answered. */
  later429sOnWire: number;
  /** braid only: 429s of attempts braid started after the first 429 had reached it (from its spans). */
  later429sByBraid?: number;
  error?: string;
}

type Wire = 'openai' | 'google';

/**
 * Suite (issue 17): the limit is not configured. The FAQ chain (one questions call, then per question
 * an answer and a sources call) against a provider that allows 3 requests per 3 s sliding window, run by
 * a sequential AI SDK loop, a bounded p-limit fan-out over the AI SDK, and braid, each on a fresh fake
 * provider; braid learns from what the provider says, per row: only Retry-After, OpenAI rate headers,
 * Gemini's quota body. Then 60 RPM configured against a provider that enforces it per second, and a
 * daily quota that runs out mid-run.
 *
 * @example
 * const { tables, targets } = await runLimitBench({ onProgress: console.error });
 */
export async function runLimitBench({
  questions = 8,
  latencyMs = 300,
  rateLimit = { rpm: 3, windowMs: 3000 },
  boundedConcurrency = 4,
  seed = 42,
  deadlineMs = 180_000,
  onProgress = () => {},
}: LimitBenchOptions = {}): Promise<LimitBenchReport> {
  const documents = await loadSampleDocuments();
  const report = (run: ContenderRun): ContenderRun => {
    const braidView = run.later429sByBraid === undefined ? '' : `, ${run.later429sByBraid} after braid saw one`;
    onProgress(`  ${run.label}: ${Math.round(run.wallMs)} ms, ${run.entries}/${questions} entries, ${run.requests} requests, ${run.rateLimited} × 429 (${run.later429sOnWire} later on the wire${braidView})${run.error ? `, stopped: ${run.error}` : ''}`);
    return run;
  };
  const base: StartFakeProviderOptions = { latencyMs, seed, rules: questionRules(questions), rpm: rateLimit.rpm, windowMs: rateLimit.windowMs };
  const common = { documents, questions, deadlineMs };
  // no limit is configured: braid is only told that the fake's "minute" lasts windowMs, as everything here is scaled
  const scaled: RateLimits = { windowMs: rateLimit.windowMs };
  const baselines = async (serverOptions: StartFakeProviderOptions, wire: Wire) => [
    report(await runAiSdkContender('sequential (AI SDK loop)', serverOptions, { ...common, wire, schedule: 'sequential' })),
    report(await runAiSdkContender(`p-limit(${boundedConcurrency}) fan-out (AI SDK)`, serverOptions, { ...common, wire, schedule: 'concurrent', concurrency: boundedConcurrency })),
  ];

  onProgress(`limits 1/5: Retry-After only, ${rateLimit.rpm} requests per ${rateLimit.windowMs} ms, ${questions} questions, ${latencyMs} ms latency`);
  const retryAfterOnly: StartFakeProviderOptions = { ...base, rateLimitSignals: 'retry-after' };
  const memory = temporaryLimitsFile();
  const retryAfterRows = [
    ...(await baselines(retryAfterOnly, 'openai')),
    report(await runBraidContender('braid, first run', retryAfterOnly, { ...common, limits: scaled, memoryPath: memory.path })),
    report(await runBraidContender('braid, second run (same data dir)', retryAfterOnly, { ...common, limits: scaled, memoryPath: memory.path })),
  ];
  const wholeSeconds: StartFakeProviderOptions = { ...retryAfterOnly, retryAfterMs: false };
  const wholeMemory = temporaryLimitsFile();
  const wholeSecondRows = [
    report(await runBraidContender('braid, first run (Retry-After in whole seconds)', wholeSeconds, { ...common, limits: scaled, memoryPath: wholeMemory.path })),
    report(await runBraidContender('braid, second run (whole seconds, same data dir)', wholeSeconds, { ...common, limits: scaled, memoryPath: wholeMemory.path })),
  ];

  onProgress('limits 2/5: OpenAI rate headers on every answer');
  const headerRows = [...(await baselines(base, 'openai')), report(await runBraidContender('braid', base, { ...common, limits: scaled }))];

  onProgress('limits 3/5: Gemini wire, 429 body with QuotaFailure + RetryInfo');
  const geminiRows = [...(await baselines(base, 'google')), report(await runBraidContender('braid', base, { ...common, wire: 'google', limits: scaled }))];

  onProgress('limits 4/5: 60 RPM configured, the provider enforces it per second (1 request per 1 s window)');
  const perSecond: StartFakeProviderOptions = { ...base, rpm: 1, windowMs: 1_000, rateLimitSignals: 'retry-after' };
  const configuredRows = [
    ...(await baselines(perSecond, 'openai')),
    report(await runBraidContender('braid --rpm 60', perSecond, { ...common, limits: { rpm: 60 } })),
  ];

  onProgress('limits 5/5: a daily quota runs out mid-run');
  const daily = await measureDailyQuota({ documents, questions, latencyMs, seed });
  onProgress(`  braid stopped ${formatNumber(daily.afterQuotaMs)} ms after the quota 429 (wall ${formatNumber(daily.wallMs)} ms, ${daily.rateLimited} × 429): ${daily.message}`);
  memory.remove();
  wholeMemory.remove();

  const floorOf = (run: ContenderRun, limit: { rpm: number; windowMs: number }) =>
    Math.floor(Math.max(0, run.requests - run.rateLimited - 1) / limit.rpm) * limit.windowMs + latencyMs;
  const row = (section: string, limit: { rpm: number; windowMs: number }) => (run: ContenderRun) => [
    section,
    run.label,
    formatNumber(run.wallMs),
    String(run.requests),
    String(run.rateLimited),
    formatPercent(run.requests > 0 ? run.rateLimited / run.requests : undefined, 0),
    String(run.later429sOnWire),
    run.later429sByBraid === undefined ? '' : String(run.later429sByBraid),
    `${run.entries}/${questions}`,
    formatNumber(floorOf(run, limit)),
    formatRatio(run.wallMs / floorOf(run, limit)),
  ];
  const table: BenchTable = {
    title: `Limits not configured: FAQ chain, ${questions} questions, ${latencyMs} ms latency, provider allows ${rateLimit.rpm} requests per ${rateLimit.windowMs / 1000} s sliding window`,
    columns: ['provider says', 'contender', 'wall ms', 'requests', '429s', '429 %', 'later 429s (wire)', 'later (braid)', 'entries', 'rate floor ms', 'wall ÷ floor'],
    textColumns: 2,
    rows: [
      ...retryAfterRows.map(row('Retry-After only', rateLimit)),
      ...wholeSecondRows.map(row('Retry-After, whole s', rateLimit)),
      ...headerRows.map(row('OpenAI rate headers', rateLimit)),
      ...geminiRows.map(row('Gemini quota body', rateLimit)),
      ...configuredRows.map(row('60 RPM configured, 1/s enforced', { rpm: 1, windowMs: 1_000 })),
    ],
    notes: [
      'Retry-After only: 429s carry Retry-After and retry-after-ms, and a message that names no limit; no rate headers. "whole s": Retry-After alone, in whole seconds rounded up.',
      'OpenAI rate headers: x-ratelimit-{limit,remaining,reset}-{requests,tokens} on every answer. Gemini quota body: google.rpc.QuotaFailure (quotaId …PerMinute…, quotaValue "3") + RetryInfo.retryDelay, no Retry-After header.',
      `braid is told no limit; its windowMs is set to the fake's scaled "minute" (${rateLimit.windowMs} ms), which only gives per-minute limits stated in headers and bodies their length. The baselines use the AI SDK's defaults (maxRetries 2, honouring Retry-After).`,
      'later 429s (wire): 429s of requests that reached the provider after the first 429 was answered. later (braid): 429s of attempts braid started after the first 429 had reached it, from its spans; the difference is calls braid had already handed to the SDK, still on their way (the fake runs in this process, so its own work delays their arrival).',
      'rate floor = the earliest the last admitted request could finish under the limit: floor((admitted − 1) / rpm) × window + latency.',
      `second run: a new runtime and limiter reading the limits.json the first run wrote. Daily quota: FAQ of ${questions} with 5 requests per day; braid stopped ${formatNumber(daily.afterQuotaMs)} ms after the quota 429 was answered (calls in flight finished), ${daily.rateLimited} × 429, ended with: ${daily.message}`,
      ...[...retryAfterRows, ...wholeSecondRows, ...headerRows, ...geminiRows, ...configuredRows].filter((run) => run.error).map((run) => `${run.label} stopped: ${run.error}`),
    ],
  };

  const [, , braidFirst, braidSecond] = retryAfterRows as [ContenderRun, ContenderRun, ContenderRun, ContenderRun];
  const braidHeaders = headerRows[2]!;
  const braidGemini = geminiRows[2]!;
  const braidConfigured = configuredRows[2]!;
  const ratio = (run: ContenderRun) => run.wallMs / floorOf(run, rateLimit);
  const allDelivered = (run: ContenderRun) => run.entries === questions;
  const targets: TargetCheck[] = [
    {
      target: 'limits, Retry-After only: every item, wall ≤ 1.10 × rate floor',
      measured: `${braidFirst.entries}/${questions} entries, ${formatRatio(ratio(braidFirst))}`,
      isMet: allDelivered(braidFirst) && ratio(braidFirst) <= 1.1,
    },
    {
      target: 'limits, Retry-After only: ≤ 1 more 429 once the first reached braid',
      measured: `${braidFirst.later429sByBraid} after braid saw one (${braidFirst.later429sOnWire} later on the wire), ${braidFirst.rateLimited} in all`,
      isMet: (braidFirst.later429sByBraid ?? Number.POSITIVE_INFINITY) <= 1,
    },
    {
      target: 'limits, Retry-After only: a second run on the same data dir meets ≤ 1 429 in all',
      measured: `${braidSecond.rateLimited} × 429, ${formatRatio(ratio(braidSecond))} of the floor`,
      isMet: allDelivered(braidSecond) && braidSecond.rateLimited <= 1,
    },
    {
      target: 'limits, OpenAI rate headers: 0 × 429, wall ≤ 1.10 × rate floor',
      measured: `${braidHeaders.rateLimited} × 429, ${formatRatio(ratio(braidHeaders))}`,
      isMet: allDelivered(braidHeaders) && braidHeaders.rateLimited === 0 && ratio(braidHeaders) <= 1.1,
    },
    {
      target: 'limits, Gemini quota body: ≤ 1 further 429 after the first',
      measured: `${braidGemini.later429sByBraid} after braid saw one (${braidGemini.later429sOnWire} later on the wire), ${braidGemini.rateLimited} in all`,
      isMet: allDelivered(braidGemini) && (braidGemini.later429sByBraid ?? Number.POSITIVE_INFINITY) <= 1,
    },
    {
      target: 'limits, 60 RPM configured, 1 s windows enforced: 0 × 429',
      measured: `${braidConfigured.rateLimited} × 429, ${braidConfigured.entries}/${questions} entries`,
      isMet: allDelivered(braidConfigured) && braidConfigured.rateLimited === 0,
    },
    {
      target: 'limits, daily quota: the run ends < 5 s after the quota 429, naming the quota',
      measured: `${formatNumber(daily.afterQuotaMs)} ms, ${daily.isQuotaError ? 'QuotaExhaustedError' : 'another error'}`,
      isMet: daily.isQuotaError && daily.afterQuotaMs < 5_000,
    },
  ];
  return { tables: [table], targets };
}

interface ContenderOptions {
  documents: readonly SourceDocument[];
  questions: number;
  deadlineMs: number;
  wire?: Wire;
}

async function runBraidContender(
  label: string,
  serverOptions: StartFakeProviderOptions,
  { documents, questions, deadlineMs, wire = 'openai', limits, memoryPath }: ContenderOptions & { limits: RateLimits; memoryPath?: string },
): Promise<ContenderRun> {
  return withFakeProvider(
    serverOptions,
    async (server, model) => {
      const limiters = createLimiterRegistry(limits, { memory: memoryPath === undefined ? undefined : openLimitsFile(memoryPath) });
      const braid = createRuntime({ model, limiters, signal: AbortSignal.timeout(deadlineMs), name: 'faq' });
      const startedAt = performance.now();
      let entries = 0;
      let error: string | undefined;
      try {
        // inside a run span, as the CLI runs it
        const result = await braid.group('faq', (run) => generateFaq(run, documents, { questions }));
        entries = result.faqs.length;
      } catch (caught) {
        error = describe(caught);
      }
      const wallMs = performance.now() - startedAt;
      braid.finish(error ? 'error' : 'ok');
      return { label, wallMs, entries, error, later429sByBraid: later429sSeenBy(braid), ...wireFigures(server) };
    },
    { wire },
  );
}

async function runAiSdkContender(
  label: string,
  serverOptions: StartFakeProviderOptions,
  { documents, questions, deadlineMs, wire = 'openai', schedule, concurrency }: ContenderOptions & { schedule: 'sequential' | 'concurrent'; concurrency?: number },
): Promise<ContenderRun> {
  return withFakeProvider(
    serverOptions,
    async (server, model: LanguageModel) => {
      const startedAt = performance.now();
      const result = await runFaqWithAiSdk(model, documents, { questions, schedule, concurrency, signal: AbortSignal.timeout(deadlineMs) });
      const wallMs = performance.now() - startedAt;
      const error = result.isQuestionsLost ? `questions call failed: ${result.failures[0]?.error ?? ''}` : undefined;
      return { label, wallMs, entries: result.faqs.length, error, ...wireFigures(server) };
    },
    { wire },
  );
}

/** A daily quota of 5 requests runs out in the FAQ's fan-out: how soon after the quota 429 does the run end, and how. */
async function measureDailyQuota({ documents, questions, latencyMs, seed }: { documents: readonly SourceDocument[]; questions: number; latencyMs: number; seed: number }) {
  return withFakeProvider({ latencyMs, seed, rules: questionRules(questions), rpd: 5 }, async (server, model) => {
    const braid = createRuntime({ model, name: 'faq' });
    const startedAt = performance.now();
    let caught: unknown;
    try {
      await braid.group('faq', (run) => generateFaq(run, documents, { questions }));
    } catch (error) {
      caught = error;
    }
    const endedAt = Date.now();
    const wallMs = performance.now() - startedAt;
    const quota429 = server.stats().timeline.filter((request) => request.status === 429).sort((a, b) => a.end - b.end)[0];
    return {
      wallMs,
      afterQuotaMs: quota429 ? endedAt - quota429.end : Number.NaN,
      rateLimited: server.stats().byStatus['429'] ?? 0,
      isQuotaError: caught instanceof QuotaExhaustedError,
      message: caught instanceof Error ? caught.message : 'the run did not stop',
    };
  });
}

function later429sSeenBy(braid: Runtime): number {
  const attempts = braid.spans().filter((span) => span.kind === 'attempt');
  const firstSeen = Math.min(...attempts.filter((attempt) => attempt.rateLimited).map((attempt) => attempt.end));
  return attempts.filter((attempt) => attempt.rateLimited && attempt.start > firstSeen).length;
}

function wireFigures(server: FakeProvider): Pick<ContenderRun, 'requests' | 'rateLimited' | 'later429sOnWire'> {
  const { timeline, requests, byStatus } = server.stats();
  const refused = timeline.filter((request) => request.status === 429);
  const firstAnswered = Math.min(...refused.map((request) => request.end));
  return { requests, rateLimited: byStatus['429'] ?? 0, later429sOnWire: refused.filter((request) => request.start > firstAnswered).length };
}

function temporaryLimitsFile() {
  const directory = mkdtempSync(join(tmpdir(), 'braid-bench-limits-'));
  return { path: join(directory, 'limits.json'), remove: () => rmSync(directory, { recursive: true, force: true }) };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
