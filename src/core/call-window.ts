/** One call as a limiter's window counts it. */
export interface WindowCall {
  /** When the call was granted (epoch ms). */
  readonly start: number;
  /** When it stops counting, less the window: its end, or earlier when the provider said its window moved on. */
  at: number;
  /** Estimated tokens while in flight, real usage after. */
  tokens: number;
  isEnded: boolean;
}

/** The calls that count against a provider budget right now: those in flight and those ended within the window. */
export interface CallWindow {
  readonly windowMs: number;
  add(tokens: number, now: number): WindowCall;
  /** The call ended: it counts from now (or from `at`, if given) for one window. */
  end(call: WindowCall, now: number, tokens?: number): void;
  /** Drops calls whose window has passed. */
  prune(now: number): void;
  /** Calls counted (after `prune`): in flight plus ended. */
  readonly requests: number;
  readonly tokens: number;
  readonly endedRequests: number;
  readonly endedTokens: number;
  /** Ended calls, oldest first: they leave the window at `at + windowMs + margin`, in this order. */
  ended(): Iterable<WindowCall>;
  /** When `call` stops counting. */
  leavesAt(call: WindowCall): number;
  /**
   * The provider said its window holds none of our ended calls after `until` (its budget is whole
   * again then): none of them counts longer in ours either.
   */
  releaseBy(until: number): void;
}

/** A call counts from its end (see `end`), so this margin only absorbs timer granularity. */
const WINDOW_MARGIN_MS = 10;

/**
 * A sliding window of a limiter's own calls with running sums, so checking a budget costs O(1) and
 * pruning is amortised O(1), however many calls a high-RPM budget holds.
 *
 * @example
 * const window = createCallWindow(60_000);
 * const call = window.add(900, Date.now());
 * window.end(call, Date.now(), 640);
 */
export function createCallWindow(windowMs: number): CallWindow {
  // ended calls, sorted by `at`: a call ends after every earlier-ended one, and releaseBy keeps the order
  let ended: WindowCall[] = [];
  let head = 0;
  let inFlight = 0;
  let inFlightTokens = 0;
  let endedTokens = 0;

  const leavesAt = (call: WindowCall): number => (call.isEnded ? call.at + windowMs + WINDOW_MARGIN_MS : Number.POSITIVE_INFINITY);

  return {
    windowMs,
    add(tokens, now) {
      inFlight += 1;
      inFlightTokens += tokens;
      return { start: now, at: now, tokens, isEnded: false };
    },
    end(call, now, tokens = call.tokens) {
      if (call.isEnded) return;
      inFlight -= 1;
      inFlightTokens -= call.tokens;
      call.isEnded = true;
      // the provider stamped the request somewhere between our send and its answer; counting it from
      // the answer keeps our window behind the provider's, whatever the network delay was
      call.at = now;
      call.tokens = tokens;
      endedTokens += tokens;
      ended.push(call);
    },
    prune(now) {
      while (head < ended.length && leavesAt(ended[head]!) <= now) {
        endedTokens -= ended[head]!.tokens;
        head += 1;
      }
      if (head > 256 && head * 2 > ended.length) {
        ended = ended.slice(head);
        head = 0;
      }
    },
    get requests() {
      return inFlight + ended.length - head;
    },
    get tokens() {
      return inFlightTokens + endedTokens;
    },
    get endedRequests() {
      return ended.length - head;
    },
    get endedTokens() {
      return endedTokens;
    },
    *ended() {
      for (let index = head; index < ended.length; index += 1) yield ended[index]!;
    },
    leavesAt,
    releaseBy(until) {
      const at = until - windowMs - WINDOW_MARGIN_MS;
      for (let index = ended.length - 1; index >= head && ended[index]!.at > at; index -= 1) ended[index]!.at = at;
    },
  };
}
