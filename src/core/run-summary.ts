import { findCriticalPath } from './critical-path.js';
import type { Span } from './span.js';

/** What a run cost and how it went, computed from its spans. */
export interface RunSummary {
  runId: string;
  wallMs: number;
  /** The longest chain of calls that had to run one after another: the wall time with no waiting. */
  criticalPathMs: number;
  steps: number;
  failedSteps: number;
  /** Requests that went on the wire. */
  calls: number;
  /** Attempts beyond each step's first (after a 429, 5xx, network error, timeout or invalid output). */
  retries: number;
  /** Attempts the provider answered with 429. */
  rateLimited: number;
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from a provider's prompt cache or the local model's reused prefix. */
  cachedInputTokens: number;
  /** Input tokens the model really processed: `inputTokens - cachedInputTokens`. */
  evaluatedInputTokens: number;
  /** Output tokens per second of time on the wire, over all calls. */
  outputTokensPerSecond: number;
  costUsd: number;
  /** Steps answered from the response cache. */
  cacheHits: number;
  /** Steps replayed from the journal of an earlier, interrupted run. */
  replayedSteps: number;
  /** Journaled steps that ran again because their inputs (model, prompt, schema, settings) changed since. */
  rerunSteps: number;
  /** Side effects run or replayed (`run.effect`). */
  effects: number;
  /** Results that could not be journaled (a full disk): used, but a resume would pay for them again. */
  unjournaledSteps: number;
}

/** Sums a run's spans into its summary. */
export function summarizeRun(runId: string, spans: readonly Span[], now = Date.now()): RunSummary {
  const summary: RunSummary = {
    runId,
    wallMs: 0,
    criticalPathMs: findCriticalPath(spans).ms,
    steps: 0,
    failedSteps: 0,
    calls: 0,
    retries: 0,
    rateLimited: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    evaluatedInputTokens: 0,
    outputTokensPerSecond: 0,
    costUsd: 0,
    cacheHits: 0,
    replayedSteps: 0,
    rerunSteps: 0,
    effects: 0,
    unjournaledSteps: 0,
  };
  let wireMs = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const span of spans) {
    start = Math.min(start, span.start);
    end = Math.max(end, span.end || now);
    if (span.kind === 'step') {
      summary.steps += 1;
      if (span.status !== 'ok') summary.failedSteps += 1;
      summary.retries += Math.max(0, (span.attempts ?? 1) - 1);
      if (span.replayed === 'cache') summary.cacheHits += 1;
      if (span.replayed === 'journal') summary.replayedSteps += 1;
      if (span.rerun === 'changed') summary.rerunSteps += 1;
    }
    if (span.kind === 'effect') summary.effects += 1;
    if (span.journalError !== undefined) summary.unjournaledSteps += 1;
    if (span.kind === 'attempt') {
      summary.calls += 1;
      if (span.rateLimited) summary.rateLimited += 1;
      summary.inputTokens += span.inputTokens ?? 0;
      summary.outputTokens += span.outputTokens ?? 0;
      summary.cachedInputTokens += span.cachedInputTokens ?? 0;
      summary.costUsd += span.costUsd ?? 0;
      if (span.status === 'ok') wireMs += span.end - span.start;
    }
  }
  summary.wallMs = Number.isFinite(start) ? Math.max(0, end - start) : 0;
  summary.evaluatedInputTokens = summary.inputTokens - summary.cachedInputTokens;
  // calls overlap, so this is per call stream: what one request sees, not the machine's total
  summary.outputTokensPerSecond = wireMs > 0 ? Math.round((summary.outputTokens / wireMs) * 1000 * 10) / 10 : 0;
  return summary;
}
