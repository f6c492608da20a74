import { describe, expect, test } from 'vitest';
import { findCriticalPath, type Span } from '../../src/index.js';
import { RUN, randomKeyedTrace, seededRandom, stepWithAttempts } from './fixtures/random-trace.js';

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

describe('findCriticalPath from the recorded structure', () => {
  /** A keyed step at `key` with one attempt per window, as the engine records it. */
  function keyedStep(key: string, ...windows: [number, number, Partial<Span>?][]): Span[] {
    const [step, ...attempts] = stepWithAttempts(key, ...windows);
    return [{ ...step!, key, name: key.slice(key.lastIndexOf('/') + 1).replace(/#\d+$/, '') }, ...attempts];
  }

  test('parallel items never chain onto each other, even when a concurrency cap ran them one after another', () => {
    // the FAQ's shape: questions, then per question an answer and its sources; the cap of one
    // lets each question's sources start only after the one before it ended
    const spans = [
      RUN,
      ...keyedStep('/faq#0/questions#0', [0, 100]),
      ...keyedStep('/faq#0/question[0]#0/answer#0/answer#0', [100, 200]),
      ...keyedStep('/faq#0/question[1]#0/answer#0/answer#0', [110, 260]),
      ...keyedStep('/faq#0/question[0]#0/sources#0/sources#0', [200, 300]),
      ...keyedStep('/faq#0/question[1]#0/sources#0/sources#0', [300, 380]),
    ];
    // timing alone chains question[1]'s sources onto question[0]'s: 100 + 100 + 100 + 80 = 380
    expect(findCriticalPath(spans.map(({ key: _key, ...span }) => span)).ms).toBe(380);
    expect(findCriticalPath(spans)).toEqual({
      ids: [
        '/faq#0/questions#0', '/faq#0/questions#0.1',
        '/faq#0/question[1]#0/answer#0/answer#0', '/faq#0/question[1]#0/answer#0/answer#0.1',
        '/faq#0/question[1]#0/sources#0/sources#0', '/faq#0/question[1]#0/sources#0/sources#0.1',
      ],
      ms: 100 + 150 + 80,
    });
  });

  test('a step depends on the steps before it in its own chain and in the scopes around it', () => {
    const spans = [
      RUN,
      ...keyedStep('/doc#0/plan#0', [0, 50]),
      ...keyedStep('/doc#0/part[0]#0/draft#0', [50, 150]),
      ...keyedStep('/doc#0/part[0]#0/review#0', [150, 170]),
      ...keyedStep('/doc#0/part[1]#0/draft#0', [55, 100]),
      ...keyedStep('/doc#0/part[1]#0/review#0', [100, 300]),
      ...keyedStep('/doc#0/merge#0', [300, 330]),
    ];
    expect(findCriticalPath(spans).ids.filter((id) => !id.endsWith('.1'))).toEqual([
      '/doc#0/plan#0',
      '/doc#0/part[1]#0/draft#0',
      '/doc#0/part[1]#0/review#0',
      '/doc#0/merge#0',
    ]);
    expect(findCriticalPath(spans).ms).toBe(50 + 45 + 200 + 30);
  });

  test('two parallel calls in one scope are blocks of their own: an item of the second follows the first', () => {
    const spans = [
      RUN,
      ...keyedStep('/run#0/item[0]#0/a#0', [0, 100]),
      ...keyedStep('/run#0/item[1]#0/a#0', [0, 60]),
      // the second parallel() of the same name: `item[0]#1`
      ...keyedStep('/run#0/item[0]#1/b#0', [100, 150]),
      ...keyedStep('/run#0/item[1]#1/b#0', [100, 180]),
    ];
    expect(findCriticalPath(spans).ms).toBe(100 + 80);
  });

  test('a loop of name[i] groups awaited one by one (evaluate-optimize rounds) chains, as it ran', () => {
    const spans = [
      RUN,
      ...keyedStep('/optimize#0/round[0]#0/generate#0', [0, 100]),
      ...keyedStep('/optimize#0/round[1]#0/generate#0', [100, 180]),
      ...keyedStep('/optimize#0/round[2]#0/generate#0', [180, 200]),
    ];
    expect(findCriticalPath(spans).ms).toBe(200);
  });

  test('steps of one scope that ran at the same time (Promise.all) do not chain', () => {
    const spans = [RUN, ...keyedStep('/run#0/left#0', [0, 100]), ...keyedStep('/run#0/right#0', [10, 130]), ...keyedStep('/run#0/after#0', [130, 140])];
    expect(findCriticalPath(spans)).toEqual({ ids: ['/run#0/right#0', '/run#0/right#0.1', '/run#0/after#0', '/run#0/after#0.1'], ms: 130 });
  });

  test("a step's retries are on its chain; its waits and backoffs are not", () => {
    const spans = [
      RUN,
      ...keyedStep('/run#0/flaky#0', [0, 40, { rateLimited: true, httpStatus: 429, status: 'error' }], [2_040, 2_240, { backoffMs: 1_500, waitMs: 500 }]),
      ...keyedStep('/run#0/next#0', [2_240, 2_300]),
    ];
    expect(findCriticalPath(spans)).toEqual({
      ids: ['/run#0/flaky#0', '/run#0/flaky#0.1', '/run#0/flaky#0.2', '/run#0/next#0', '/run#0/next#0.1'],
      ms: 40 + 200 + 60,
    });
  });

  test('the same spans in any order give the same path', () => {
    const spans = randomKeyedTrace(7, 300);
    const expected = findCriticalPath(spans);
    for (let seed = 1; seed <= 5; seed += 1) expect(findCriticalPath(shuffled(spans, seed))).toEqual(expected);
  });

  test('matches an exhaustive search over step dependencies on random structured traces', () => {
    for (let seed = 1; seed <= 25; seed += 1) {
      const spans = randomKeyedTrace(seed, 80);
      const path = findCriticalPath(spans);
      expect(path.ms).toBe(bruteForceStructural(spans));
      expectValidChain(spans, path);
    }
  });

  test('bad input: duplicate positions keep the later copy, a step with children is one more element, a deep key does not overflow', () => {
    // a trace file of two sessions: the step's structural id is the same in both, its attempts are new
    const twice = [
      RUN,
      ...keyedStep('/run#0/a#0', [0, 500]),
      ...keyedStep('/run#0/a#0', [1_000, 1_100]).map((span) => (span.kind === 'attempt' ? { ...span, id: `${span.id}-again` } : span)),
    ];
    expect(findCriticalPath(twice).ms).toBe(100);

    const both = [RUN, ...keyedStep('/run#0/a#0', [0, 50]), ...keyedStep('/run#0/a#0/b#0', [50, 80])];
    expect(findCriticalPath(both).ms).toBe(80);

    const deep = `/${Array.from({ length: 20_000 }, (_, index) => `g${index}#0`).join('/')}`;
    expect(findCriticalPath([RUN, ...keyedStep(deep, [0, 10])]).ms).toBe(10);
  });

  test('falls back to timing when a step has no position key (an own journal key, an old trace), and survives a parent cycle', () => {
    const spans = [RUN, ...keyedStep('/run#0/item[0]#0/a#0', [0, 100]), ...keyedStep('/run#0/item[1]#0/a#0', [50, 150]), ...stepWithAttempts('own-key', [150, 200])];
    expect(findCriticalPath(spans).ms).toBe(150);

    const looped: Span[] = [
      { ...RUN, id: 'g1', kind: 'group', parentId: 'g2' },
      { ...RUN, id: 'g2', kind: 'group', parentId: 'g1' },
      { id: 'a.1', parentId: 'g1', runId: 'r', kind: 'attempt', name: 'a', start: 0, end: 10, status: 'ok' },
    ];
    expect(findCriticalPath(looped)).toEqual({ ids: ['a.1'], ms: 10 });
  });

  test('handles 50,000 keyed spans', () => {
    const spans = randomKeyedTrace(42, 25_000);
    expect(spans.length).toBeGreaterThanOrEqual(50_000);
    const path = findCriticalPath(spans);
    expect(path.ms).toBeGreaterThan(0);
    expectValidChain(spans, path);
  });
});

/**
 * The longest path over steps, with an edge from step X to step Y when, in the scope where their
 * positions part, X's branch ended before Y's began and the two are not items of one parallel
 * block that overlapped. Quadratic: a check on the fast version, not a copy of it.
 */
function bruteForceStructural(spans: readonly Span[]): number {
  const steps = spans.filter((span) => span.kind === 'step');
  const cost = new Map<string, number>();
  for (const span of spans) if (span.kind === 'attempt') cost.set(span.parentId!, (cost.get(span.parentId!) ?? 0) + span.end - span.start);
  const extent = new Map<string, { start: number; end: number }>();
  for (const step of steps) {
    const segments = step.key!.split('/');
    for (let length = 2; length <= segments.length; length += 1) {
      const prefix = segments.slice(0, length).join('/');
      const known = extent.get(prefix);
      extent.set(prefix, { start: Math.min(known?.start ?? Infinity, step.start), end: Math.max(known?.end ?? 0, step.end) });
    }
  }
  const blocks = new Map<string, string | undefined>();
  const blockOf = (prefix: string): string | undefined => {
    if (!blocks.has(prefix)) blocks.set(prefix, findBlock(prefix));
    return blocks.get(prefix);
  };
  const findBlock = (prefix: string): string | undefined => {
    const match = /^(.*)\[\d+\]#(\d+)$/.exec(prefix);
    if (!match) return undefined;
    const siblings = [...extent.entries()].filter(([other]) => {
      const otherMatch = /^(.*)\[\d+\]#(\d+)$/.exec(other);
      return otherMatch !== null && otherMatch[1] === match[1] && otherMatch[2] === match[2];
    });
    const overlaps = siblings.some(([a, x]) => siblings.some(([b, y]) => a !== b && x.start < y.end && y.start < x.end));
    return overlaps ? `${match[1]}[]#${match[2]}` : undefined;
  };
  const dependsOn = (before: Span, after: Span): boolean => {
    const x = before.key!.split('/');
    const y = after.key!.split('/');
    let common = 0;
    while (x[common] === y[common]) common += 1;
    const branchX = x.slice(0, common + 1).join('/');
    const branchY = y.slice(0, common + 1).join('/');
    const block = blockOf(branchX);
    if (block !== undefined && block === blockOf(branchY)) return false;
    return extent.get(branchX)!.end <= extent.get(branchY)!.start;
  };
  const sorted = [...steps].sort((a, b) => a.end - b.end);
  const best = sorted.map((step) => cost.get(step.id) ?? 0);
  for (let index = 0; index < sorted.length; index += 1) {
    for (let before = 0; before < index; before += 1) {
      if (dependsOn(sorted[before]!, sorted[index]!)) best[index] = Math.max(best[index]!, best[before]! + (cost.get(sorted[index]!.id) ?? 0));
    }
  }
  return Math.max(0, ...best);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const next = seededRandom(seed);
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(next() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

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
