import { summarizeRun, type RunSummary } from '../core/run-summary.js';
import type { ItemSummary } from './job-payloads.js';

/**
 * A batch's summary from its items' summaries: counts add up, the critical path is the longest
 * item's, and the wall time is the producer's. Items that failed for good return no summary, so
 * their calls are not in it. Fields an item does not report stay at zero.
 *
 * @example
 * const summary = combineSummaries(batchId, results.flatMap((r) => (r.ok ? [r.value.summary] : [])), wallMs);
 */
export function combineSummaries(batchId: string, summaries: readonly ItemSummary[], wallMs: number): RunSummary {
  // an empty run's summary has every field the local summary has, at zero, even fields added later
  const total: RunSummary = { ...summarizeRun(batchId, []), wallMs };
  let weightedTokensPerSecond = 0;
  for (const summary of summaries) {
    total.criticalPathMs = Math.max(total.criticalPathMs, summary.criticalPathMs);
    total.steps += summary.steps;
    total.failedSteps += summary.failedSteps;
    total.calls += summary.calls;
    total.retries += summary.retries;
    total.rateLimited += summary.rateLimited;
    total.inputTokens += summary.inputTokens;
    total.outputTokens += summary.outputTokens;
    total.cachedInputTokens += summary.cachedInputTokens;
    total.evaluatedInputTokens += summary.evaluatedInputTokens ?? summary.inputTokens - summary.cachedInputTokens;
    weightedTokensPerSecond += (summary.outputTokensPerSecond ?? 0) * summary.outputTokens;
    total.costUsd += summary.costUsd;
    total.cacheHits += summary.cacheHits;
    total.replayedSteps += summary.replayedSteps;
  }
  // a per-stream rate: the items' rates, weighted by the tokens each produced
  total.outputTokensPerSecond = total.outputTokens > 0 ? Math.round((weightedTokensPerSecond / total.outputTokens) * 10) / 10 : 0;
  return total;
}
