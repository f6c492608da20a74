import { findCriticalPath, isFinished, isPositionKey, scopeCriticalPathMs } from './critical-path.js';
import type { Span } from './span.js';

/** The critical path's length, kept up to date as a run's spans end. */
export interface CriticalPathTally {
  add(span: Span): void;
  /** `findCriticalPath(spans).ms` over the spans added so far; worked out once per change. */
  ms(): number;
}

export interface CriticalPathTallyOptions {
  /**
   * Fold scopes that end while more than this many steps, attempts and folded scopes are held; below
   * it, every call is kept. Only for spans added as they end (children before their scope). @default Infinity
   */
  foldAbove?: number;
}

/**
 * Holds each finished step's and attempt's times and position (none of its text), by the scope
 * that holds it. Once it holds more than `foldAbove` of them, a scope that ends is folded
 * into one step weighing its own critical path: the rest of the run sees a scope only through its
 * extent and that weight, so the length comes out the same, and a batch of 100,000 items holds three
 * numbers and a key per item instead of every call it made.
 *
 * Two cases are not folded exactly, and are left to the whole-run computation where they can be:
 * no scope is folded before the run's first call (a run all replayed weighs its steps' durations),
 * nor after a step without a position (such a run is measured by timing alone; scopes folded
 * before then count as one call each). A step that ends after its scope did joins the folded scope
 * as one more element.
 */
export function createCriticalPathTally({ foldAbove = Number.POSITIVE_INFINITY }: CriticalPathTallyOptions = {}): CriticalPathTally {
  // what each scope holds directly, by its path; when a scope ends it moves up into its parent's
  const byScope = new Map<string, ScopeHold>();
  // an attempt ends before its step: held by the step's id until the step ends and its scope is known
  const attemptsByStep = new Map<string, Span[]>();
  let held = 0;
  let hasCalled = false;
  let hasUnplacedStep = false;
  let cachedMs: number | undefined;

  const holdOf = (scope: string): ScopeHold => {
    let hold = byScope.get(scope);
    if (!hold) byScope.set(scope, (hold = { calls: [], foldedKeys: [], foldedTimes: [] }));
    return hold;
  };

  return {
    add(span) {
      if (span.kind === 'attempt') {
        cachedMs = undefined;
        held += 1;
        hasCalled ||= isFinished(span);
        const { id, parentId, runId, kind, name, status, waitMs, backoffMs } = span;
        const record: Span = { id, parentId, runId, kind, name, status, start: span.start, end: span.end, waitMs, backoffMs };
        // an attempt with no step is kept aside under its own parent: it counts only when the run is measured by timing
        const owner = parentId ?? '';
        const attempts = attemptsByStep.get(owner);
        if (attempts) attempts.push(record);
        else attemptsByStep.set(owner, [record]);
      } else if (span.kind === 'step') {
        cachedMs = undefined;
        held += 1;
        const { id, runId, kind, name, key, status } = span;
        const placed = key !== undefined && isPositionKey(key);
        hasUnplacedStep ||= !placed;
        const { calls } = holdOf(placed ? parentOf(key) : '');
        calls.push({ id, runId, kind, name, key, status, start: span.start, end: span.end });
        for (const attempt of attemptsByStep.get(id) ?? []) calls.push(attempt);
        attemptsByStep.delete(id);
      } else if (span.kind === 'group' && span.key !== undefined && isPositionKey(span.key)) {
        const ended = byScope.get(span.key);
        if (!ended) return;
        byScope.delete(span.key);
        const parent = holdOf(parentOf(span.key));
        const calls = callsOf(ended);
        const weight = held > foldAbove && hasCalled && !hasUnplacedStep ? scopeCriticalPathMs(calls) : undefined;
        if (weight === undefined) {
          for (const call of calls) parent.calls.push(call);
          // each folded scope in it came back as a step and its attempt
          held += ended.foldedKeys.length;
          return;
        }
        held -= ended.calls.length + ended.foldedKeys.length;
        const extent = extentOf(calls);
        // a scope with no finished step has no place in the path
        if (!extent) return;
        held += 1;
        parent.foldedKeys.push(span.key);
        parent.foldedTimes.push(extent.start, extent.end, weight);
      }
    },
    ms() {
      if (cachedMs === undefined) {
        const all: Span[] = [];
        for (const hold of byScope.values()) for (const call of callsOf(hold)) all.push(call);
        for (const attempts of attemptsByStep.values()) for (const attempt of attempts) all.push(attempt);
        cachedMs = findCriticalPath(all).ms;
      }
      return cachedMs;
    },
  };
}

/**
 * What one scope holds: its finished calls, and the scopes in it that ended and were folded, each
 * kept as its position, extent and weight (three numbers in a row of `foldedTimes`) and nothing else.
 */
interface ScopeHold {
  calls: Span[];
  foldedKeys: string[];
  foldedTimes: number[];
}

/**
 * The scope's calls, each folded scope in it as one step at its position over its extent with one
 * attempt of its weight: a parent scope sees that exactly as it saw the scope. A chain runs its parts
 * one after another inside the scope, so its weight fits in the scope's extent.
 */
function callsOf({ calls, foldedKeys, foldedTimes }: ScopeHold): Span[] {
  if (foldedKeys.length === 0) return calls;
  const all = [...calls];
  foldedKeys.forEach((key, index) => {
    const start = foldedTimes[index * 3]!;
    const end = foldedTimes[index * 3 + 1]!;
    const weight = foldedTimes[index * 3 + 2]!;
    all.push(
      { id: key, runId: '', kind: 'step', name: '', key, status: 'ok', start, end },
      { id: key, parentId: key, runId: '', kind: 'attempt', name: '', status: 'ok', start, end: Math.min(end, start + weight) },
    );
  });
  return all;
}

/** From the first finished step's start to the last one's end; none when no step finished. */
function extentOf(calls: readonly Span[]): { start: number; end: number } | undefined {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const call of calls) {
    if (call.kind !== 'step' || !isFinished(call)) continue;
    start = Math.min(start, call.start);
    end = Math.max(end, call.end);
  }
  return Number.isFinite(start) ? { start, end } : undefined;
}

/** `/a#0/b#0` is held by `/a#0`; a top-level `/a#0` by the run, `''`. */
function parentOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}
