import type { Span } from './span.js';

/** The run's critical path: the chain of calls that bounds its wall time from below. */
export interface CriticalPath {
  /** The chain's attempt ids in time order, each preceded by its step's id (once), so a viewer can highlight both. */
  ids: string[];
  /** The sum of the chain's on-the-wire durations, in milliseconds. */
  ms: number;
}

/**
 * Finds the longest chain of calls that had to happen one after another, weighted by each call's
 * time on the wire (`end - start`). Limiter waits and backoffs happen before an attempt's `start`
 * and are not counted, so the total is what the run would take with no waiting and unlimited
 * parallelism. A step's retries are on its chain; runs without attempts (all replayed, or an old
 * trace) count the steps' own durations.
 *
 * Which call waits for which comes from the recorded structure when every step has its position
 * key (`/faq#0/part[0]#0/question[2]#0/sources#0/sources#0`): a step depends on what ran before
 * it in its own scope and in its enclosing scopes, never on a sibling item of the same `parallel`
 * (groups named `name[index]` whose runs overlapped). Within a scope, "before" is read from the
 * clock: a child that started before another had ended ran beside it, not after it. Traces
 * without keys fall back to timing alone: any call that was ready only after another had ended is
 * taken to depend on it.
 *
 * Ties go to the chain that ends first, then to key (or id) order, whatever order the spans come
 * in, so the answer is stable. O(n log n) for n spans (plus the length of the keys): a sort per
 * scope, then one pass with a binary search into a running maximum. The structure is rebuilt from
 * the keys, which form a tree by construction, so a trace whose `parentId`s loop cannot hang it.
 *
 * @example
 * const { ids, ms } = findCriticalPath(braid.spans());
 */
export function findCriticalPath(spans: readonly Span[]): CriticalPath {
  const steps = spans.filter((span) => span.kind === 'step' && isFinished(span));
  if (steps.length > 0 && steps.every((step) => step.key !== undefined && isPositionKey(step.key))) {
    return structuralPath(steps, spans);
  }
  return timingPath(spans);
}

/**
 * The critical path's length within one finished scope of a run that has made calls, from that
 * scope's steps and attempts: what `findCriticalPath` over the whole run finds for the scope, so the
 * scope can be folded into one step of that weight (`createCriticalPathTally`). Steps weigh their
 * attempts' time on the wire even when the scope holds none (a replayed scope weighs nothing), as
 * they do in a run that has made calls. `undefined` when a step has no position: such a run is
 * measured by timing alone, over all of it.
 */
export function scopeCriticalPathMs(spans: readonly Span[]): number | undefined {
  const steps = spans.filter((span) => span.kind === 'step' && isFinished(span));
  if (!steps.every((step) => step.key !== undefined && isPositionKey(step.key))) return undefined;
  return steps.length === 0 ? 0 : structuralPath(steps, spans, true).ms;
}

// ---- from the structure ----------------------------------------------------------------------

/** `/name#0/item[3]#0/…`: what the engine writes. A step given its own journal key has no place in the tree. */
export function isPositionKey(key: string): boolean {
  return /^(\/[^/]+)+$/.test(key);
}

/** One position in the run: a scope, a step, or (in a malformed trace) both. */
interface PositionNode {
  /** The last part of the position (`question[2]#0`); a node's full key is never built, as a deep tree would make that quadratic. */
  segment: string;
  /** Most nodes have one child or none: a map each would be most of the work, so only wide nodes get an index. */
  children?: PositionNode[];
  index?: Map<string, PositionNode>;
  step?: Span;
  /** Set once the node is evaluated. */
  result?: Stretch;
}

/** The best chain within one node, with the node's own extent on the clock. */
interface Stretch {
  ms: number;
  start: number;
  end: number;
  /** The chain as a tree of pieces, flattened once at the end: concatenating lists at every level would be O(n · depth). */
  chain: ChainPiece | undefined;
}

type ChainPiece = { step: Span } | { pieces: ChainPiece[] };

/** `weighOnWire` says whether steps weigh their attempts' time on the wire; by default, when any attempt is in `spans`. */
function structuralPath(steps: readonly Span[], spans: readonly Span[], weighOnWire?: boolean): CriticalPath {
  const { root, kept } = buildPositionTree(steps);
  let hasAttempts = false;
  for (const span of spans) {
    if (span.kind !== 'attempt' || !isFinished(span)) continue;
    hasAttempts = true;
    const call = span.parentId === undefined ? undefined : kept.get(span.parentId);
    if (!call || span.start < call.step.start || span.end > call.step.end) continue;
    call.ms += span.end - span.start;
    call.attempts.push(span);
  }
  const isOnWire = weighOnWire ?? hasAttempts;
  const costOf = (step: Span): number => (isOnWire ? (kept.get(step.id)?.ms ?? 0) : step.end - step.start);

  // children before parents, without recursion: a malformed key thousands of segments deep must not overflow the stack
  const order: PositionNode[] = [root];
  for (let index = 0; index < order.length; index += 1) for (const child of order[index]!.children ?? []) order.push(child);
  for (let index = order.length - 1; index >= 0; index -= 1) evaluate(order[index]!, costOf);

  const ids: string[] = [];
  const pending: ChainPiece[] = root.result?.chain ? [root.result.chain] : [];
  while (pending.length > 0) {
    const piece = pending.pop()!;
    if ('pieces' in piece) {
      for (let index = piece.pieces.length - 1; index >= 0; index -= 1) pending.push(piece.pieces[index]!);
      continue;
    }
    ids.push(piece.step.id);
    const attempts = kept.get(piece.step.id)?.attempts ?? [];
    for (const attempt of attempts.sort((a, b) => a.start - b.start || compareText(a.id, b.id))) ids.push(attempt.id);
  }
  return { ids, ms: root.result?.ms ?? 0 };
}

/** A step the tree kept, with its attempts and their time on the wire. */
interface KeptStep {
  step: Span;
  ms: number;
  attempts: Span[];
}

/**
 * The tree of positions, and the steps it kept by id: of two copies of one position (a trace file
 * spanning sessions, where a step keeps its structural id) the later run counts, and an attempt
 * counts only within the time of the copy that was kept.
 */
function buildPositionTree(steps: readonly Span[]): { root: PositionNode; kept: Map<string, KeptStep> } {
  const root: PositionNode = { segment: '' };
  const leaves: PositionNode[] = [];
  for (const step of steps) {
    let node = root;
    for (const segment of step.key!.slice(1).split('/')) node = childAt(node, segment);
    leaves.push(node);
    if (!node.step || node.step.end < step.end || (node.step.end === step.end && compareText(step.id, node.step.id) < 0)) node.step = step;
  }
  const kept = new Map<string, KeptStep>();
  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index]!;
    if (leaves[index]!.step === step) kept.set(step.id, { step, ms: 0, attempts: [] });
  }
  return { root, kept };
}

/** Scanning a few children beats hashing; a wide scope (a parallel of thousands) gets a map. */
const SCAN_LIMIT = 8;

function childAt(node: PositionNode, segment: string): PositionNode {
  let child: PositionNode | undefined;
  if (node.index) child = node.index.get(segment);
  else if (node.children) {
    for (const candidate of node.children) {
      if (candidate.segment === segment) {
        child = candidate;
        break;
      }
    }
  }
  if (child) return child;
  child = { segment };
  node.children ??= [];
  node.children.push(child);
  if (node.index) node.index.set(segment, child);
  else if (node.children.length > SCAN_LIMIT) node.index = new Map(node.children.map((candidate) => [candidate.segment, candidate]));
  return child;
}

/** One child of a scope as the scope's longest-chain search sees it. */
interface Element {
  /** Its segment: unique among its siblings. */
  segment: string;
  /** Items of one `parallel` share a block and never depend on each other; every other child has a block of its own. */
  block: string;
  start: number;
  end: number;
  stretch: Stretch;
}

/** The best chain within `node`, from its children's (already evaluated) best chains. */
function evaluate(node: PositionNode, costOf: (step: Span) => number): void {
  if (!node.step && node.children?.length === 1) {
    // a scope of one child (a chain link, a group around one step) is that child: most scopes are
    node.result = node.children[0]!.result;
    return;
  }
  const elements: Element[] = [];
  for (const child of node.children ?? []) {
    if (child.result) elements.push({ segment: child.segment, block: child.segment, start: child.result.start, end: child.result.end, stretch: child.result });
  }
  if (node.step) {
    const { step } = node;
    const stretch: Stretch = { ms: costOf(step), start: step.start, end: step.end, chain: { step } };
    // a leaf, or in a malformed trace a step that also has children: one more element of its scope
    if (elements.length === 0) {
      node.result = stretch;
      return;
    }
    // no segment is empty, so '' names it apart from its siblings
    elements.push({ segment: '', block: '', start: step.start, end: step.end, stretch });
  }
  if (elements.length === 0) return;
  node.result = elements.length === 1 ? elements[0]!.stretch : longestSequence(assignParallelBlocks(elements));
}

const ITEM_SEGMENT = /^(.*)\[\d+\]#(\d+)$/;

/**
 * Puts the items of one `parallel` call (`name[0]#n`, `name[1]#n`…) in one block, when their runs
 * overlapped. A loop that awaited `name[i]` groups one by one (an evaluate-optimize round, a
 * chain mode) looks the same by name; its items never overlap, so they stay in blocks of their own
 * and chain by the clock, as they ran.
 */
function assignParallelBlocks(elements: Element[]): Element[] {
  const byBlock = new Map<string, Element[]>();
  for (const element of elements) {
    const match = ITEM_SEGMENT.exec(element.segment);
    if (!match) continue;
    // a segment never holds '/', so this can never be a sibling's own block
    const block = `/${match[1]}[]#${match[2]}`;
    const members = byBlock.get(block) ?? [];
    members.push(element);
    byBlock.set(block, members);
  }
  for (const [block, members] of byBlock) {
    if (members.length < 2) continue;
    members.sort((a, b) => a.start - b.start || a.end - b.end);
    let latestEnd = members[0]!.end;
    let isOverlapping = false;
    for (let index = 1; index < members.length && !isOverlapping; index += 1) {
      isOverlapping = members[index]!.start < latestEnd;
      latestEnd = Math.max(latestEnd, members[index]!.end);
    }
    if (isOverlapping) for (const member of members) member.block = block;
  }
  return elements;
}

/**
 * Weighted interval scheduling over a scope's children: the heaviest sequence in which each child
 * started only once the one before it had ended, never two items of one block. The running
 * maximum keeps the best chain and the best from another block, so an item finds its best
 * predecessor outside its own block in O(log k).
 */
function longestSequence(elements: Element[]): Stretch {
  const sorted = [...elements].sort((a, b) => a.end - b.end || a.start - b.start || compareText(a.segment, b.segment));
  const count = sorted.length;
  const ends = sorted.map((element) => element.end);
  // plain arrays: most scopes are small, and a typed array costs more to make than to fill
  const best: number[] = [];
  const previous: number[] = [];
  const leader: number[] = []; // the best chain among sorted[0..i]
  const runnerUp: number[] = []; // the best among sorted[0..i] in another block than the leader's, or -1

  for (let index = 0; index < count; index += 1) {
    const element = sorted[index]!;
    const ready = countEndingBy(ends, element.start, index);
    let before = -1;
    if (ready > 0) {
      const first = leader[ready - 1]!;
      before = sorted[first]!.block !== element.block ? first : runnerUp[ready - 1]!;
    }
    best[index] = element.stretch.ms + (before >= 0 ? best[before]! : 0);
    previous[index] = before;

    if (index === 0) {
      leader[0] = 0;
      runnerUp[0] = -1;
      continue;
    }
    const first = leader[index - 1]!;
    const second = runnerUp[index - 1]!;
    // strictly greater: on a tie the earlier-ending chain keeps the lead
    if (best[index]! > best[first]!) {
      leader[index] = index;
      runnerUp[index] = sorted[first]!.block !== element.block ? first : second;
    } else {
      leader[index] = first;
      const isRival = sorted[first]!.block !== element.block && (second < 0 || best[index]! > best[second]!);
      runnerUp[index] = isRival ? index : second;
    }
  }

  const pieces: ChainPiece[] = [];
  for (let index = leader[count - 1]!; index >= 0; index = previous[index]!) {
    const { chain } = sorted[index]!.stretch;
    if (chain) pieces.push(chain);
  }
  pieces.reverse();
  let start = Number.POSITIVE_INFINITY;
  for (const element of sorted) start = Math.min(start, element.start);
  return {
    ms: best[leader[count - 1]!]!,
    start,
    end: ends[count - 1]!,
    chain: { pieces },
  };
}

// ---- from timing alone (traces without keys) ---------------------------------------------------

function timingPath(spans: readonly Span[]): CriticalPath {
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
export function isFinished(span: Span): boolean {
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
function countEndingBy(ends: ArrayLike<number>, time: number, limit: number): number {
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
