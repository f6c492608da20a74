import { describe, expect, test } from 'vitest';
import { findCriticalPath, type Span } from '../../src/index.js';

const RUN: Span = { id: 'run', runId: 'r', kind: 'run', name: 'run', start: 0, end: 10_000, status: 'ok' };

/** A step with one attempt per `[start, end]` pair; the step spans them all. */
function stepWithAttempts(id: string, ...windows: [number, number, Partial<Span>?][]): Span[] {
  const step: Span = {
    id,
    parentId: 'run',
    runId: 'r',
    kind: 'step',
    name: id,
    start: windows[0]![0],
    end: windows.at(-1)![1],
    status: 'ok',
    attempts: windows.length,
  };
  const attempts = windows.map(([start, end, extra], index): Span => ({
    id: `${id}.${index + 1}`,
    parentId: id,
    runId: 'r',
    kind: 'attempt',
    name: id,
    start,
    end,
    status: 'ok',
    ...extra,
  }));
  return [step, ...attempts];
}

describe('findCriticalPath', () => {
  test('a sequential chain is the sum of its calls, steps listed before their attempts', () => {
    const spans = [RUN, ...stepWithAttempts('a', [0, 100]), ...stepWithAttempts('b', [100, 350]), ...stepWithAttempts('c', [400, 450])];
    expect(findCriticalPath(spans)).toEqual({ ids: ['a', 'a.1', 'b', 'b.1', 'c', 'c.1'], ms: 400 });
  });

  test('a fan-out counts the longest branch plus the steps before and after it', () => {
    const spans = [
      RUN,
      ...stepWithAttempts('plan', [0, 100]),
      ...stepWithAttempts('short', [110, 300]),
      ...stepWithAttempts('long', [105, 700]),
      ...stepWithAttempts('middle', [120, 500]),
      ...stepWithAttempts('merge', [710, 760]),
    ];
    expect(findCriticalPath(spans)).toEqual({ ids: ['plan', 'plan.1', 'long', 'long.1', 'merge', 'merge.1'], ms: 100 + 595 + 50 });
  });

  test('retries are on the chain, but limiter waits and backoffs before them are not', () => {
    const spans = [
      RUN,
      ...stepWithAttempts('flaky', [0, 40, { rateLimited: true, httpStatus: 429, status: 'error' }], [2_040, 2_240, { backoffMs: 1_500, waitMs: 500 }]),
      ...stepWithAttempts('quick', [10, 30]),
    ];
    expect(findCriticalPath(spans)).toEqual({ ids: ['flaky', 'flaky.1', 'flaky.2'], ms: 240 });
  });

  test('on a tie the chain that ends first wins, whatever the input order', () => {
    const spans = [RUN, ...stepWithAttempts('late', [200, 500]), ...stepWithAttempts('early', [0, 300])];
    expect(findCriticalPath(spans)).toEqual({ ids: ['early', 'early.1'], ms: 300 });
    expect(findCriticalPath([...spans].reverse())).toEqual({ ids: ['early', 'early.1'], ms: 300 });
  });

  test('an attempt that starts exactly when another ends chains onto it', () => {
    const spans = [RUN, ...stepWithAttempts('first', [0, 100]), ...stepWithAttempts('second', [100, 200]), ...stepWithAttempts('overlap', [99, 250])];
    expect(findCriticalPath(spans).ms).toBe(200);
  });

  test('no spans, or no finished calls, is an empty path', () => {
    expect(findCriticalPath([])).toEqual({ ids: [], ms: 0 });
    expect(findCriticalPath([RUN])).toEqual({ ids: [], ms: 0 });
    const open: Span = { ...stepWithAttempts('open', [50, 0])[1]!, end: 0 };
    expect(findCriticalPath([RUN, open])).toEqual({ ids: [], ms: 0 });
  });

  test('without attempts (all replayed) it falls back to the steps', () => {
    const steps = [...stepWithAttempts('a', [0, 100]), ...stepWithAttempts('b', [150, 250]), ...stepWithAttempts('c', [20, 90])].filter(
      (span) => span.kind === 'step',
    );
    expect(findCriticalPath([RUN, ...steps])).toEqual({ ids: ['a', 'b'], ms: 200 });
  });

  test('matches an exhaustive search on random traces', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const spans = randomTrace(seed, 120);
      const path = findCriticalPath(spans);
      expect(path.ms).toBe(bruteForceLongest(spans.filter((span) => span.kind === 'attempt')));
      expectValidChain(spans, path);
    }
  });

  test('handles 50,000 spans and returns a valid chain', () => {
    const spans = randomTrace(42, 25_000);
    expect(spans.length).toBeGreaterThanOrEqual(50_000);
    const path = findCriticalPath(spans);
    expect(path.ms).toBeGreaterThan(0);
    expectValidChain(spans, path);
  });
});

/** Seeded so a failure reproduces. */
function randomTrace(seed: number, steps: number): Span[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const spans: Span[] = [RUN];
  for (let index = 0; index < steps; index += 1) {
    const start = Math.floor(next() * steps * 20);
    const first = start + 1 + Math.floor(next() * 400);
    const windows: [number, number][] = [[start, first]];
    if (next() < 0.2) windows.push([first + 50, first + 60 + Math.floor(next() * 300)]);
    spans.push(...stepWithAttempts(`s${index}`, ...windows));
  }
  return spans;
}

function bruteForceLongest(attempts: readonly Span[]): number {
  const sorted = [...attempts].sort((a, b) => a.end - b.end);
  const best = sorted.map((span) => span.end - span.start);
  for (let index = 0; index < sorted.length; index += 1) {
    for (let before = 0; before < index; before += 1) {
      if (sorted[before]!.end <= sorted[index]!.start) {
        best[index] = Math.max(best[index]!, best[before]! + sorted[index]!.end - sorted[index]!.start);
      }
    }
  }
  return Math.max(0, ...best);
}

function expectValidChain(spans: readonly Span[], path: { ids: string[]; ms: number }): void {
  const byId = new Map(spans.map((span) => [span.id, span]));
  const chain = path.ids.map((id) => byId.get(id)!).filter((span) => span.kind === 'attempt');
  for (let index = 1; index < chain.length; index += 1) expect(chain[index]!.start).toBeGreaterThanOrEqual(chain[index - 1]!.end);
  expect(chain.reduce((total, span) => total + span.end - span.start, 0)).toBe(path.ms);
  for (const attempt of chain) expect(path.ids).toContain(attempt.parentId);
}
