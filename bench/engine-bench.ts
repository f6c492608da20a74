import type { LanguageModel } from 'ai';
import { createRuntime, type RateLimits, type RunSummary } from '../src/index.js';
import { generateFaq } from '../src/workflows/faq/generate-faq.js';
import type { SourceDocument } from '../src/workflows/faq/load-documents.js';
import type { FakeProvider, FaultRates, StartFakeProviderOptions } from '../test/fake-provider/index.js';
import { dependencyPathMs } from './dependency-path.js';
import { countValidEntries, DEPENDENT_ROUNDS, loadSampleDocuments, questionRules, runFaqWithAiSdk } from './faq-chain-workload.js';
import { formatNumber, formatPercent, formatRatio, type BenchTable } from './print-table.js';
import { measureStepOverhead } from './step-overhead-bench.js';
import type { TargetCheck } from './target-check.js';
import { withFakeProvider } from './with-fake-provider.js';

export interface EngineBenchOptions {
  /** FAQ entries asked for. @default 20 */
  questions?: number;
  /** The fake's latency per request. @default 300 */
  latencyMs?: number;
  /** The fake's seed for scenarios 1 and 2 (answers and fault draws). @default 42 */
  seed?: number;
  /** One fresh run per seed in the fault scenario, summed: one run's 20 items are a small sample. @default [1, 2, 3] */
  faultSeeds?: readonly number[];
  /** The fault mix of scenario 3. @default 10 % 503, 5 % malformed JSON, 2 % connection resets */
  faults?: FaultRates;
  /**
   * Scenario 2's limit: 60 RPM scaled down 10× in both rate and window, i.e. the same one request
   * per second, so the run takes ~40 s instead of ~7 min. @default { rpm: 6, windowMs: 6000 }
   */
  rateLimit?: { rpm: number; windowMs: number };
  /** Calls per contender in the overhead scenario, after `overheadWarmupCalls`. @default 300 */
  overheadCalls?: number;
  /** @default 50 */
  overheadWarmupCalls?: number;
  /** No contender runs longer than this; it is cut off and reported as such. @default 150_000 */
  deadlineMs?: number;
  /** Called with a line as each contender finishes (the tables come at the end). */
  onProgress?: (line: string) => void;
}

export interface EngineBenchReport {
  tables: BenchTable[];
  targets: TargetCheck[];
}

/** What one contender did on its fresh fake provider. */
interface ContenderRun {
  label: string;
  wallMs: number;
  entries: number;
  validEntries: number;
  requests: number;
  /** Requests the fake admitted (not answered 429). */
  admitted: number;
  rateLimited: number;
  maxConcurrent: number;
  faults: Record<string, number>;
  /** Items that failed (an error per item), or every item when the questions call failed. */
  failures: number;
  summary?: RunSummary;
  dependencyMs?: number;
  /** Why the whole run stopped early: its deadline, or a failure no item survived. */
  error?: string;
}

const DEFAULT_FAULTS: FaultRates = { status5xx: 0.1, malformedJson: 0.05, reset: 0.02 };

/**
 * Suite 1 (issue 4): the FAQ chain run by a sequential AI SDK loop, by naive `Promise.all` with
 * AI SDK defaults, and by braid, each on a fresh fake provider with the same seed; then the
 * engine's own cost per step.
 *
 * @example
 * const { tables, targets } = await runEngineBench({ onProgress: console.error });
 */
export async function runEngineBench({
  questions = 20,
  latencyMs = 300,
  seed = 42,
  faultSeeds = [1, 2, 3],
  faults = DEFAULT_FAULTS,
  rateLimit = { rpm: 6, windowMs: 6000 },
  overheadCalls = 300,
  overheadWarmupCalls = 50,
  deadlineMs = 150_000,
  onProgress = () => {},
}: EngineBenchOptions = {}): Promise<EngineBenchReport> {
  const documents = await loadSampleDocuments();
  const report = (run: ContenderRun): ContenderRun => {
    onProgress(`  ${run.label}: ${Math.round(run.wallMs)} ms, ${run.entries}/${questions} entries, ${run.requests} requests${run.error ? `, stopped: ${run.error}` : ''}`);
    return run;
  };
  const common = { documents, questions, deadlineMs };
  const base: StartFakeProviderOptions = { latencyMs, seed, rules: questionRules(questions) };

  onProgress(`engine 1/4: no limits, ${questions} questions, ${latencyMs} ms latency`);
  const sequential = report(await runAiSdkContender('sequential (AI SDK loop)', base, { ...common, schedule: 'sequential' }));
  const naive = report(await runAiSdkContender('naive (Promise.all, maxRetries 2)', base, { ...common, schedule: 'concurrent' }));
  const braid = report(await runBraidContender('braid (defaults)', base, common));
  // not a contender: shows how much of braid's wall its default concurrency cap (32) costs
  const braidWide = report(await runBraidContender('braid (concurrency 64, extra)', base, { ...common, limits: { concurrency: 64 } }));

  onProgress(`engine 2/4: ${rateLimit.rpm} requests per ${rateLimit.windowMs} ms`);
  const limited: StartFakeProviderOptions = { ...base, rpm: rateLimit.rpm, windowMs: rateLimit.windowMs };
  const braidLimited = report(await runBraidContender('braid (limits: rpm)', limited, { ...common, limits: rateLimit }));
  const naiveLimited = report(await runAiSdkContender('naive (Promise.all, maxRetries 2)', limited, { ...common, schedule: 'concurrent' }));

  onProgress(`engine 3/4: faults ${JSON.stringify(faults)}, seeds ${faultSeeds.join(', ')}`);
  const braidFaulty: ContenderRun[] = [];
  const naiveFaulty: ContenderRun[] = [];
  for (const faultSeed of faultSeeds) {
    const faulty: StartFakeProviderOptions = { ...base, seed: faultSeed, faults };
    braidFaulty.push(report(await runBraidContender(`braid (defaults), seed ${faultSeed}`, faulty, common)));
    naiveFaulty.push(report(await runAiSdkContender(`naive, seed ${faultSeed}`, faulty, { ...common, schedule: 'concurrent' })));
  }

  onProgress(`engine 4/4: overhead per step, ${overheadCalls} calls each after ${overheadWarmupCalls} warm-up calls, 0 ms latency`);
  const overhead = await measureStepOverhead({ calls: overheadCalls, warmupCalls: overheadWarmupCalls });
  onProgress(`  generateText ${overhead.raw.meanMicroseconds.toFixed(0)} µs, braid.step ${overhead.braid.meanMicroseconds.toFixed(0)} µs per call`);

  const theoreticalMs = DEPENDENT_ROUNDS * latencyMs;
  const criticalPathMs = braid.summary?.criticalPathMs;
  const withLimitsRatio = (run: ContenderRun) => [
    run.label,
    formatNumber(run.wallMs),
    String(run.requests),
    String(run.maxConcurrent),
    `${run.entries}/${questions}`,
    formatRatio(run.wallMs / sequential.wallMs),
    formatRatio(run.wallMs / naive.wallMs),
    formatNumber(run.summary?.criticalPathMs),
    formatRatio(run.summary ? run.wallMs / run.summary.criticalPathMs : undefined),
    formatNumber(run.dependencyMs),
    formatRatio(run.wallMs / theoreticalMs),
  ];
  const noLimitsTable: BenchTable = {
    title: `Engine 1 — no limits: FAQ chain, ${questions} questions, ${latencyMs} ms fake latency, seed ${seed}`,
    columns: ['contender', 'wall ms', 'requests', 'peak in flight', 'entries', '÷ sequential', '÷ naive', 'crit. path ms', 'wall ÷ crit. path', 'dep. path ms', `wall ÷ ${DEPENDENT_ROUNDS}×${latencyMs} ms`],
    rows: [sequential, naive, braid, braidWide].map(withLimitsRatio),
    notes: [
      `crit. path = braid.summary().criticalPathMs: the longest chain of calls each ready only after the previous one ended (limiter waits and backoffs excluded).`,
      `dep. path = the bench's no-queueing bound from step spans (dependency-path.ts): a step extends a chain only if it was asked for after the previous one finished.`,
      `theoretical lower bound = ${DEPENDENT_ROUNDS} dependent rounds × ${latencyMs} ms = ${theoreticalMs} ms.`,
      ...errorNotes([sequential, naive, braid, braidWide]),
    ],
  };

  const window = rateLimit.windowMs;
  const limitedRow = (run: ContenderRun) => {
    const floorMs = Math.floor(Math.max(0, run.admitted - 1) / rateLimit.rpm) * window + latencyMs;
    return [
      run.label,
      formatNumber(run.wallMs),
      String(run.requests),
      String(run.rateLimited),
      formatPercent(run.requests > 0 ? run.rateLimited / run.requests : undefined, 1),
      formatPercent(run.admitted / ((run.wallMs / window) * rateLimit.rpm)),
      `${run.entries}/${questions}`,
      String(questions - run.entries),
      formatNumber(floorMs),
      formatRatio(run.wallMs / floorMs),
    ];
  };
  const rateTable: BenchTable = {
    title: `Engine 2 — rate limit: ${rateLimit.rpm} requests per ${rateLimit.windowMs} ms (60 RPM scaled 10× shorter), same FAQ chain`,
    columns: ['contender', 'wall ms', 'requests', '429s', '429 % of req.', 'limit used', 'entries', 'items lost', 'rate floor ms', 'wall ÷ floor'],
    rows: [braidLimited, naiveLimited].map(limitedRow),
    notes: [
      `limit used = admitted requests / (wall / window × rpm); a sliding window also grants one free burst of ${rateLimit.rpm}, so a run using the whole budget scores above 100 %.`,
      `rate floor = the earliest the last admitted request could finish under the limit: floor((admitted − 1) / rpm) × window + latency.`,
      ...errorNotes([braidLimited, naiveLimited]),
    ],
  };

  const faultRow = (label: string, runs: readonly ContenderRun[]) => {
    const sum = (pick: (run: ContenderRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
    const asked = questions * runs.length;
    const entries = sum((run) => run.entries);
    return [
      label,
      String(runs.length),
      String(sum((run) => run.requests)),
      String(sum((run) => run.faults.status5xx ?? 0)),
      String(sum((run) => run.faults.malformedJson ?? 0)),
      String(sum((run) => run.faults.reset ?? 0)),
      `${entries}/${asked}`,
      formatPercent(entries / asked, 1),
      runs.map((run) => `${run.entries}`).join(' / '),
      formatNumber(sum((run) => run.wallMs) / runs.length),
    ];
  };
  const faultTable: BenchTable = {
    title: `Engine 3 — faults: ${describeFaults(faults)}, ${questions} questions per run`,
    columns: ['contender', 'runs', 'requests', '503s', 'malformed', 'resets', 'entries', 'completed', 'per run', 'mean wall ms'],
    rows: [faultRow('braid (defaults)', braidFaulty), faultRow('naive (Promise.all, maxRetries 2)', naiveFaulty)],
    notes: [
      `seeds ${faultSeeds.join(', ')}; fault columns count the faults the fake injected into each contender's own requests.`,
      `naive runs in which a plain Promise.all would have rejected the whole FAQ: ${naiveFaulty.filter((run) => run.failures > 0).length}/${naiveFaulty.length} (counted here item by item instead).`,
      ...errorNotes([...braidFaulty, ...naiveFaulty]),
    ],
  };

  const overheadTable: BenchTable = {
    title: `Engine 4 — overhead per call: ${overheadCalls} calls each, interleaved, after ${overheadWarmupCalls} warm-up calls, 0 ms fake latency`,
    columns: ['call', 'mean µs', 'median µs', 'p90 µs'],
    rows: [
      ['generateText (AI SDK, structured output)', ...timingCells(overhead.raw)],
      ['braid.step (same prompt and schema)', ...timingCells(overhead.braid)],
      [
        'difference (braid − raw)',
        formatNumber(overhead.braid.meanMicroseconds - overhead.raw.meanMicroseconds),
        formatNumber(overhead.braid.medianMicroseconds - overhead.raw.medianMicroseconds),
        formatNumber(overhead.braid.p90Microseconds - overhead.raw.p90Microseconds),
      ],
    ],
  };

  const braidCritical = braid.summary && criticalPathMs ? braid.wallMs / criticalPathMs : undefined;
  const braidDependency = braid.dependencyMs ? braid.wallMs / braid.dependencyMs : undefined;
  const faultCompleted = (runs: readonly ContenderRun[]) => runs.reduce((total, run) => total + run.entries, 0) / (questions * runs.length);
  const overheadMs = (overhead.braid.meanMicroseconds - overhead.raw.meanMicroseconds) / 1000;
  const targets: TargetCheck[] = [
    {
      target: 'engine 1: braid wall ≤ 1.10 × critical path',
      measured: `${formatRatio(braidCritical)} of criticalPathMs (${formatNumber(criticalPathMs)} ms)`,
      isMet: braidCritical === undefined ? undefined : braidCritical <= 1.1,
    },
    {
      // criticalPathMs chains attempts queued behind the concurrency cap, so it can hide a slow schedule
      target: 'engine 1: same, against the no-queueing bound',
      measured: `${formatRatio(braidDependency)} of dep. path (${formatNumber(braid.dependencyMs)} ms), ${formatRatio(braid.wallMs / theoreticalMs)} of ${theoreticalMs} ms; concurrency 64: ${formatRatio(braidWide.dependencyMs ? braidWide.wallMs / braidWide.dependencyMs : undefined)}`,
      isMet: braidDependency === undefined ? undefined : braidDependency <= 1.1,
    },
    {
      target: 'engine 2: braid loses no item and draws no 429 under the limit',
      measured: `${questions - braidLimited.entries} lost, ${braidLimited.rateLimited} × 429, limit used ${formatPercent(braidLimited.admitted / ((braidLimited.wallMs / window) * rateLimit.rpm))}`,
      isMet: braidLimited.entries === questions && braidLimited.rateLimited === 0,
    },
    {
      target: 'engine 3: braid completes every item under faults',
      measured: `braid ${formatPercent(faultCompleted(braidFaulty), 1)}, naive ${formatPercent(faultCompleted(naiveFaulty), 1)}`,
      isMet: faultCompleted(braidFaulty) === 1,
    },
    {
      target: 'engine 4: braid.step overhead < 1 ms per call',
      measured: `${formatNumber(overheadMs * 1000)} µs mean`,
      isMet: overheadMs < 1,
    },
  ];
  return { tables: [noLimitsTable, rateTable, faultTable, overheadTable], targets };
}

interface ContenderOptions {
  documents: readonly SourceDocument[];
  questions: number;
  deadlineMs: number;
}

async function runBraidContender(
  label: string,
  serverOptions: StartFakeProviderOptions,
  { documents, questions, deadlineMs, limits }: ContenderOptions & { limits?: RateLimits },
): Promise<ContenderRun> {
  return withFakeProvider(serverOptions, async (server, model) => {
    const braid = createRuntime({ model, ...(limits ? { limits } : {}), signal: AbortSignal.timeout(deadlineMs), name: 'faq' });
    const startedAt = performance.now();
    let entries = 0;
    let validEntries = 0;
    let failures = questions;
    let error: string | undefined;
    try {
      // inside a run span, as the CLI runs it
      const result = await braid.group('faq', (run) => generateFaq(run, documents, { questions }));
      entries = result.faqs.length;
      validEntries = countValidEntries(result.faqs, documents);
      failures = result.failures.length;
    } catch (caught) {
      error = describe(caught);
    }
    const wallMs = performance.now() - startedAt;
    const summary = braid.finish(error ? 'error' : 'ok');
    return { label, wallMs, entries, validEntries, failures, summary, dependencyMs: dependencyPathMs(braid.spans()), error, ...wireFigures(server) };
  });
}

async function runAiSdkContender(
  label: string,
  serverOptions: StartFakeProviderOptions,
  { documents, questions, deadlineMs, schedule }: ContenderOptions & { schedule: 'sequential' | 'concurrent' },
): Promise<ContenderRun> {
  return withFakeProvider(serverOptions, async (server, model: LanguageModel) => {
    const startedAt = performance.now();
    const result = await runFaqWithAiSdk(model, documents, { questions, schedule, signal: AbortSignal.timeout(deadlineMs) });
    const wallMs = performance.now() - startedAt;
    return {
      label,
      wallMs,
      entries: result.faqs.length,
      validEntries: countValidEntries(result.faqs, documents),
      failures: result.failures.length,
      error: result.isQuestionsLost ? `questions call failed: ${result.failures[0]?.error ?? ''}` : undefined,
      ...wireFigures(server),
    };
  });
}

/** What reached the wire, from the fake's own records. */
function wireFigures(server: FakeProvider): Pick<ContenderRun, 'requests' | 'admitted' | 'rateLimited' | 'maxConcurrent' | 'faults'> {
  const stats = server.stats();
  const rateLimited = stats.byStatus['429'] ?? 0;
  const faults: Record<string, number> = {};
  for (const entry of stats.timeline) if (entry.fault) faults[entry.fault] = (faults[entry.fault] ?? 0) + 1;
  return { requests: stats.requests, admitted: stats.requests - rateLimited, rateLimited, maxConcurrent: stats.maxConcurrent, faults };
}

function timingCells(timing: { meanMicroseconds: number; medianMicroseconds: number; p90Microseconds: number }): string[] {
  return [formatNumber(timing.meanMicroseconds), formatNumber(timing.medianMicroseconds), formatNumber(timing.p90Microseconds)];
}

function errorNotes(runs: readonly ContenderRun[]): string[] {
  return runs.filter((run) => run.error).map((run) => `${run.label} stopped: ${truncate(run.error ?? '', 200)}`);
}

function describeFaults(faults: FaultRates): string {
  return Object.entries(faults)
    .map(([kind, rate]) => `${Math.round((rate ?? 0) * 100)} % ${kind}`)
    .join(' + ');
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
