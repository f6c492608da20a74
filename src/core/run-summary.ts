import { createCriticalPathTally, type CriticalPathTallyOptions } from './critical-path-tally.js';
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
  /** Why the first of them could not be journaled. */
  journalError?: string;
}

/** A run's summary, kept up to date span by span, holding only what the summary needs. */
export interface RunTally {
  /** Counts a finished span. */
  add(span: Span): void;
  /** The summary so far; `now` ends the wall time of a run still going. */
  summary(now?: number): RunSummary;
}

/**
 * Tallies spans as they end, keeping none of their text and, with `foldAbove`, not every call's
 * timing either, so a batch of 100,000 items is summarized in memory that does not grow with it.
 */
export function createRunTally(runId: string, startedAt = Number.POSITIVE_INFINITY, criticalPathOptions?: CriticalPathTallyOptions): RunTally {
  const totals = emptySummary(runId);
  const criticalPath = createCriticalPathTally(criticalPathOptions);
  let wireMs = 0;
  let start = startedAt;
  let end = 0;
  let firstJournalError: string | undefined;
  return {
    add(span) {
      criticalPath.add(span);
      start = Math.min(start, span.start);
      end = Math.max(end, span.end);
      if (span.kind === 'step') {
        totals.steps += 1;
        if (span.status !== 'ok') totals.failedSteps += 1;
        totals.retries += Math.max(0, (span.attempts ?? 1) - 1);
        if (span.replayed === 'cache') totals.cacheHits += 1;
        if (span.replayed === 'journal') totals.replayedSteps += 1;
        if (span.rerun === 'changed') totals.rerunSteps += 1;
      }
      if (span.kind === 'effect') totals.effects += 1;
      if (span.journalError !== undefined) {
        totals.unjournaledSteps += 1;
        firstJournalError ??= span.journalError;
      }
      if (span.kind === 'attempt') {
        totals.calls += 1;
        if (span.rateLimited) totals.rateLimited += 1;
        totals.inputTokens += span.inputTokens ?? 0;
        totals.outputTokens += span.outputTokens ?? 0;
        totals.cachedInputTokens += span.cachedInputTokens ?? 0;
        totals.costUsd += span.costUsd ?? 0;
        if (span.status === 'ok') wireMs += span.end - span.start;
      }
    },
    summary(now) {
      const wallEnd = Math.max(end, now ?? 0);
      return {
        ...totals,
        wallMs: Number.isFinite(start) ? Math.max(0, wallEnd - start) : 0,
        criticalPathMs: criticalPath.ms(),
        evaluatedInputTokens: totals.inputTokens - totals.cachedInputTokens,
        // calls overlap, so this is per call stream: what one request sees, not the machine's total
        outputTokensPerSecond: wireMs > 0 ? Math.round((totals.outputTokens / wireMs) * 1000 * 10) / 10 : 0,
        ...(firstJournalError === undefined ? {} : { journalError: firstJournalError }),
      };
    },
  };
}

/** Sums a run's spans into its summary. */
export function summarizeRun(runId: string, spans: readonly Span[], now = Date.now()): RunSummary {
  const tally = createRunTally(runId);
  let isOpen = false;
  for (const span of spans) {
    // a span still open counts as going on until now
    isOpen ||= span.end === 0;
    tally.add(span.end === 0 ? { ...span, end: now } : span);
  }
  return tally.summary(isOpen ? now : undefined);
}

function emptySummary(runId: string): RunSummary {
  return {
    runId,
    wallMs: 0,
    criticalPathMs: 0,
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
}
