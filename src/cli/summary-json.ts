import type { RunSummary } from '../core/run-summary.js';

/** The `summary` object of every `--json` output. */
export function summaryJson(summary: RunSummary) {
  return {
    runId: summary.runId,
    wallMs: summary.wallMs,
    criticalPathMs: summary.criticalPathMs,
    calls: summary.calls,
    retries: summary.retries,
    rateLimited: summary.rateLimited,
    inputTokens: summary.inputTokens,
    outputTokens: summary.outputTokens,
    cachedInputTokens: summary.cachedInputTokens,
    evaluatedInputTokens: summary.evaluatedInputTokens,
    outputTokensPerSecond: summary.outputTokensPerSecond,
    costUsd: Number(summary.costUsd.toFixed(6)),
    cacheHits: summary.cacheHits,
    replayedSteps: summary.replayedSteps,
    rerunSteps: summary.rerunSteps,
  };
}
