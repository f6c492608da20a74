import { randomUUID } from 'node:crypto';
import type { LanguageModel } from 'ai';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import { createCostBudget } from './cost-budget.js';
import { RunCancelledError } from './errors.js';
import { createOutputEstimator } from './expected-output.js';
import { createLimiterRegistry, type LimiterRegistry, type LimitsSetting } from './limiter-registry.js';
import { DEFAULT_PRICES, type PriceTable } from './prices.js';
import { createQuotaStop } from './quota-stop.js';
import type { Run } from './run.js';
import { createRunJournalAccess } from './run-journal-access.js';
import { createRunScope } from './run-scope.js';
import type { RunSummary } from './run-summary.js';
import { validateRuntimeOptions } from './runtime-options.js';
import type { Span, SpanStatus } from './span.js';
import { createSpanRecorder } from './span-recorder.js';
import type { ResponseCache, StepJournal } from './step-store.js';
import type { WaitJournal } from './wait-journal.js';

/** Deadline of each attempt on the wire, unless a step or the runtime sets its own. */
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface RuntimeOptions {
  /** The model steps use unless they name their own. */
  model: LanguageModel;
  /** Budgets per provider + model. Ignored when `limiters` is given. @default { concurrency: 32 } */
  limits?: LimitsSetting;
  /** Share limiters with other runtimes of the process, so they share one provider budget. */
  limiters?: LimiterRegistry;
  /** Retries of 429s, 5xx, network errors and timeouts. @default { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 } */
  retry?: Partial<RetryPolicy>;
  /** Re-asks with the validation error when output is invalid, per step. @default 2 */
  repairs?: number;
  /** Deadline of each attempt on the wire. @default 60_000 */
  timeoutMs?: number;
  /** Spending cap of the run in USD: no call starts whose estimated cost would cross it. */
  maxCostUsd?: number;
  /** Merged over `DEFAULT_PRICES`, USD per million tokens. */
  prices?: PriceTable;
  /** Cancels the whole run and everything in flight. */
  signal?: AbortSignal;
  /** Also write every span to this JSONL file as it ends. */
  traceFile?: string;
  /** Called with every span as it ends. */
  onSpan?: (span: Span) => void;
  /** Names the run; also the journal's key. @default a random id */
  runId?: string;
  /** A name for the root span (the workflow). @default 'run' */
  name?: string;
  /** Durable step and effect results: what a resume replays. */
  journal?: StepJournal;
  /** Durable waits (`waitFor`, `sleep`) and their answers. `startRun` gives the store's. */
  waits?: WaitJournal;
  /** Answers shared across runs, keyed by a hash of everything that shapes them. */
  cache?: ResponseCache;
  /**
   * When a journaled step's inputs (model, prompt, schema, settings) changed since it was written,
   * fail with `ChangedStepError` instead of running it again. @default false
   */
  strictResume?: boolean;
  /**
   * Keep every span in memory for `spans()`. A batch of many items whose spans go to a store or a
   * trace file can turn it off: `summary()` stays exact, memory stays flat. @default true
   */
  retainSpans?: boolean;
}

/** A run's root scope, and what only the whole run can do. */
export interface Runtime extends Run {
  cancel(reason?: string): void;
  /** Every span so far, in the order they opened (none when `retainSpans` is off). */
  spans(): readonly Span[];
  summary(): RunSummary;
  /** Ends the run's root span with `status` (`'waiting'` when it stopped at waits: `RunWaitingError`) and returns the summary. */
  finish(status?: SpanStatus): RunSummary;
}

/**
 * Creates a runtime: one run, with its limiters, retry policy, cost cap, trace and journal. It is
 * the run's root scope: call its methods, and pass the scope each pattern hands its body on.
 *
 * @example
 * const run = createRuntime({ model: createModel('google:gemini-2.5-flash') });
 * const facts = await run.parallel(['iron', 'zinc'], (metal, item) =>
 *   item.step({ name: 'fact', prompt: `One fact about ${metal}`, schema: Fact }));
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  validateRuntimeOptions(options);
  const {
    model,
    limits = {},
    limiters = createLimiterRegistry(limits),
    retry = {},
    repairs = 2,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    maxCostUsd,
    prices = {},
    signal: callerSignal,
    traceFile,
    onSpan,
    runId = randomUUID(),
    name = 'run',
    journal,
    waits,
    cache,
    strictResume = false,
    retainSpans = true,
  } = options;
  const controller = new AbortController();
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  const spans = createSpanRecorder({ runId, traceFile, onSpan, retain: retainSpans });
  const engine = {
    runId,
    defaultModel: model,
    timeoutMs,
    repairs,
    retry: { ...DEFAULT_RETRY_POLICY, ...retry },
    limiters,
    spans,
    budget: createCostBudget({ maxCostUsd, prices: { ...DEFAULT_PRICES, ...prices } }),
    journal: createRunJournalAccess({ runId, journal, cache, strictResume }),
    outputs: createOutputEstimator(),
    hasCache: cache !== undefined,
    waits,
    quotaStop: createQuotaStop(controller),
  };
  const root = spans.open({ kind: 'run', name, key: '' });
  const scope = createRunScope(engine, { spanId: root.id, path: '', signal, counters: new Map() });
  return {
    ...scope,
    cancel(reason = 'cancelled') {
      controller.abort(new RunCancelledError(reason));
    },
    spans: () => spans.all(),
    summary: () => spans.tally.summary(root.end === 0 ? Date.now() : undefined),
    finish(status = 'ok') {
      if (root.end === 0) spans.close(root, status);
      return spans.tally.summary();
    },
  };
}
