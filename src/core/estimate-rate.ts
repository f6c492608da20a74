/** One call the provider admitted: when it started, and its tokens. */
export interface AdmittedCall {
  start: number;
  tokens: number;
}

/** Requests and tokens per millisecond. */
export interface MeasuredRate {
  requests: number;
  tokens: number;
}

/**
 * What a 429 says about the provider's rate when it says nothing else: the calls it admitted before
 * refusing, over the time until it admits the next one (`admitsAgainAt`, the 429's time plus its
 * Retry-After). Taken over the k most recent admitted calls, the highest k / (admitsAgainAt − start_k):
 * for a sliding window of L calls the k = L term is its exact rate, and an idle stretch before a burst
 * cannot drag the figure down. A token bucket's first burst reads high; the next 429, measured from a
 * paced epoch, reads it right. O(n log n) in the calls given (a limiter keeps a few hundred at most).
 *
 * @example
 * // 3 calls admitted at 0, 300 and 300 ms, the 429 at 300 ms asks to wait 2 700 ms: 1 per second
 * estimateRate([{ start: 0, tokens: 10 }, { start: 300, tokens: 10 }, { start: 300, tokens: 10 }], 3_000);
 * // { requests: 0.001, tokens: 0.01 }
 */
export function estimateRate(admitted: readonly AdmittedCall[], admitsAgainAt: number): MeasuredRate {
  const newestFirst = [...admitted].sort((a, b) => b.start - a.start);
  let requests = 0;
  let tokens = 0;
  let count = 0;
  let tokenSum = 0;
  for (const call of newestFirst) {
    count += 1;
    tokenSum += call.tokens;
    const span = Math.max(1, admitsAgainAt - call.start);
    requests = Math.max(requests, count / span);
    tokens = Math.max(tokens, tokenSum / span);
  }
  return { requests, tokens };
}
