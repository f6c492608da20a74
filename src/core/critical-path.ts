import type { Span } from './span.js';

/** The run's critical path: the chain of calls that bounds its wall time from below. */
export interface CriticalPath {
  /** The chain's attempt ids in time order, each preceded by its step's id (once), so a viewer can highlight both. */
  ids: string[];
  /** The sum of the chain's on-the-wire durations, in milliseconds. */
  ms: number;
}

/**
 * Finds the longest chain of successive attempts (each one ready to go only once the previous one
 * had ended), weighted by `end - start`. Limiter waits and backoffs happen before an attempt's
 * `start` and are not counted, so the total is what the run would take with no waiting and
 * unlimited parallelism. Runs without attempts (all replayed, or an old trace) fall back to step spans.
 *
 * Ties go to the chain that ends first, whatever order the spans come in, so the answer is stable.
 * O(n log n): a sort, then one pass with a binary search into a running maximum.
 *
 * @example
 * const { ids, ms } = findCriticalPath(braid.spans());
 */
export function findCriticalPath(spans: readonly Span[]): CriticalPath {
  const attempts = spans.filter((span) => span.kind === 'attempt' && isFinished(span));
  const chainable = attempts.length > 0 ? attempts : spans.filter((span) => span.kind === 'step' && isFinished(span));
  const chain = longestChain(chainable);
  const ms = chain.reduce((total, span) => total + (span.end - span.start), 0);
  if (chainable !== attempts) return { ids: chain.map((span) => span.id), ms };

  const byId = new Map(spans.map((span) => [span.id, span]));
  const ids: string[] = [];
  const listed = new Set<string>();
  for (const attempt of chain) {
    const step = stepAncestor(attempt, byId);
    if (step && !listed.has(step.id)) {
      listed.add(step.id);
      ids.push(step.id);
    }
    ids.push(attempt.id);
  }
  return { ids, ms };
}

/**
 * When the call could have gone out: its start less the time it queued in the limiter and slept in
 * backoff. Chaining by this, not by start, keeps calls that merely waited for a free slot off one
 * chain, so the path stays a lower bound under any concurrency cap.
 */
function readyAt(span: Span): number {
  return span.start - (span.waitMs ?? 0) - (span.backoffMs ?? 0);
}

/** A span still open (end 0) or with a clock that went backwards has no duration to count. */
function isFinished(span: Span): boolean {
  return span.end >= span.start && span.end > 0;
}

/** Weighted interval scheduling over spans sorted by end; returns the best chain in time order. */
function longestChain(spans: readonly Span[]): Span[] {
  if (spans.length === 0) return [];
  // ids break ties so the same spans always give the same chain, in any input order
  const sorted = [...spans].sort((a, b) => a.end - b.end || a.start - b.start || compareText(a.id, b.id));
  const ends = sorted.map((span) => span.end);
  const best = new Float64Array(sorted.length); // best chain total ending exactly at sorted[i]
  const previous = new Int32Array(sorted.length); // the span before sorted[i] on that chain, or -1
  const prefixBest = new Int32Array(sorted.length); // index of the best chain among sorted[0..i]

  for (let index = 0; index < sorted.length; index += 1) {
    const span = sorted[index]!;
    // every span ending at or before this one was ready to go is a candidate predecessor; they form a prefix
    const count = countEndingBy(ends, readyAt(span), index);
    const before = count > 0 ? prefixBest[count - 1]! : -1;
    best[index] = span.end - span.start + (before >= 0 ? best[before]! : 0);
    previous[index] = before;
    const leader = index > 0 ? prefixBest[index - 1]! : -1;
    // strictly greater: on a tie the earlier-ending chain keeps the lead
    prefixBest[index] = leader >= 0 && best[leader]! >= best[index]! ? leader : index;
  }

  const chain: Span[] = [];
  for (let index = prefixBest[sorted.length - 1]!; index >= 0; index = previous[index]!) chain.push(sorted[index]!);
  return chain.reverse();
}

/** How many of `ends[0..limit)` (sorted ascending) are at or before `time`. */
function countEndingBy(ends: readonly number[], time: number, limit: number): number {
  let low = 0;
  let high = limit;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ends[middle]! <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

function stepAncestor(span: Span, byId: ReadonlyMap<string, Span>): Span | undefined {
  const seen = new Set<string>(); // a malformed trace with a parent cycle must not hang the viewer
  for (let current = span.parentId === undefined ? undefined : byId.get(span.parentId); current; ) {
    if (current.kind === 'step') return current;
    if (seen.has(current.id) || current.parentId === undefined) return undefined;
    seen.add(current.id);
    current = byId.get(current.parentId);
  }
  return undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
