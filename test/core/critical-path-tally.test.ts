import { describe, expect, test } from 'vitest';
import { findCriticalPath, type Span } from '../../src/index.js';
import { createCriticalPathTally } from '../../src/core/critical-path-tally.js';
import { randomKeyedTrace, stepWithAttempts } from './fixtures/random-trace.js';

/**
 * The trace as the engine records it: a group span for every scope, over its steps' extent, and
 * every span in the order it ends (attempts before their step, a scope after everything in it).
 */
function asRecorded(spans: readonly Span[]): Span[] {
  const groups = new Map<string, Span>();
  for (const step of spans) {
    if (step.kind !== 'step' || step.key === undefined) continue;
    const segments = step.key.split('/');
    for (let length = 2; length < segments.length; length += 1) {
      const key = segments.slice(0, length).join('/');
      const group = groups.get(key) ?? { id: `group:${key}`, runId: 'r', kind: 'group', name: segments[length - 1]!, key, start: step.start, end: step.end, status: 'ok' };
      group.start = Math.min(group.start, step.start);
      group.end = Math.max(group.end, step.end);
      groups.set(key, group);
    }
  }
  const closeOrder = (span: Span): number => (span.kind === 'attempt' ? 0 : span.kind === 'step' ? 1 : 2);
  return [...spans.filter((span) => span.kind !== 'run'), ...groups.values()].sort(
    (a, b) => a.end - b.end || closeOrder(a) - closeOrder(b) || (b.key?.length ?? 0) - (a.key?.length ?? 0),
  );
}

function tallied(spans: readonly Span[], foldAbove: number): number {
  const tally = createCriticalPathTally({ foldAbove });
  for (const span of spans) tally.add(span);
  return tally.ms();
}

describe('createCriticalPathTally', () => {
  test('folding scopes as they end gives the length findCriticalPath finds over the whole run', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const spans = asRecorded(randomKeyedTrace(seed, 200));
      const expected = findCriticalPath(spans).ms;
      // every scope folded; some folded and some kept whole (scopes inside them folded); none folded
      for (const foldAbove of [0, 40, Number.POSITIVE_INFINITY]) expect(tallied(spans, foldAbove)).toBe(expected);
    }
  });

  test('a run that starts replayed (no calls) folds nothing until its first call, and still matches', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const recorded = asRecorded(randomKeyedTrace(seed, 200));
      // the first half of the steps came from the journal: no attempts, as a resumed run records them
      const replayedUntil = recorded[Math.floor(recorded.length / 2)]!.end;
      const spans = recorded.filter((span) => span.kind !== 'attempt' || span.end > replayedUntil);
      expect(spans.some((span) => span.kind === 'attempt')).toBe(true);
      expect(tallied(spans, 0)).toBe(findCriticalPath(spans).ms);
    }
    // all replayed: the steps' own durations, as findCriticalPath weighs them
    const replayed = asRecorded(randomKeyedTrace(3, 100)).filter((span) => span.kind !== 'attempt');
    expect(tallied(replayed, 0)).toBe(findCriticalPath(replayed).ms);
    expect(tallied(replayed, 0)).toBeGreaterThan(0);
  });

  test('a step without a position from the start: nothing is folded and the run is measured by timing', () => {
    const spans = [...stepWithAttempts('own-key', [0, 5]), ...asRecorded(randomKeyedTrace(9, 200))];
    expect(tallied(spans, 0)).toBe(findCriticalPath(spans).ms);
  });

  test('a batch of 20,000 items, each folded as it ends, matches the whole-run path', () => {
    // the shape of `route --batch`: items of one parallel, 16 at a time, each a classify step then a handler
    const spans: Span[] = [];
    for (let item = 0; item < 20_000; item += 1) {
      const start = Math.floor(item / 16) * 30 + (item % 5);
      const classify = stepWithAttempts(`/route#0/item[${item}]#0/route#0/classify#0`, [start, start + 10 + (item % 7)]);
      const handlerStart = classify[0]!.end;
      const handler = stepWithAttempts(`/route#0/item[${item}]#0/route#0/billing#0/answer#0`, [handlerStart, handlerStart + 8 + (item % 11)]);
      for (const [step] of [classify, handler]) step!.key = step!.id;
      spans.push(...classify, ...handler);
    }
    const recorded = asRecorded(spans);
    expect(tallied(recorded, 1_000)).toBe(findCriticalPath(recorded).ms);
  });
});
