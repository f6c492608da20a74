import type { Span } from '../src/index.js';

/**
 * The bench's own lower bound of a run, from its spans: the heaviest chain of steps where each
 * step was *asked for* (its step span opened) only after the previous one had finished, weighted
 * by the time its attempts spent on the wire.
 *
 * Unlike the runtime's `criticalPathMs`, which chains attempts by when they went out, a step that
 * only waited for a free concurrency slot does not extend this chain: the bound is what the run
 * would take with no queueing at all. Retries still count their time on the wire.
 *
 * O(n²) over steps: fine for the few hundred steps of a benchmark run.
 *
 * @example
 * const floorMs = dependencyPathMs(braid.spans());
 */
export function dependencyPathMs(spans: readonly Span[]): number {
  const wireMs = new Map<string, number>();
  for (const span of spans) {
    if (span.kind !== 'attempt' || span.parentId === undefined || span.end < span.start) continue;
    wireMs.set(span.parentId, (wireMs.get(span.parentId) ?? 0) + (span.end - span.start));
  }
  const steps = spans.filter((span) => span.kind === 'step' && span.end >= span.start).sort((a, b) => a.end - b.end);
  const best: number[] = [];
  let longest = 0;
  steps.forEach((step, index) => {
    let before = 0;
    for (let earlier = 0; earlier < index; earlier += 1) {
      if (steps[earlier]!.end <= step.start) before = Math.max(before, best[earlier]!);
    }
    best[index] = before + (wireMs.get(step.id) ?? 0);
    longest = Math.max(longest, best[index]!);
  });
  return longest;
}
