/** The limits a rate window enforces; an undefined limit is not enforced. */
export interface RateLimits {
  rpm?: number;
  tpm?: number;
  /** Length of the sliding window. */
  windowMs: number;
}

export type Admission =
  | { isAdmitted: true }
  | { isAdmitted: false; limit: 'requests' | 'tokens'; retryAfterMs: number };

/** Usage inside the window right now, for rate-limit headers. */
export interface RateSnapshot {
  requests: number;
  tokens: number;
  /** Milliseconds until the newest request leaves the window, so the budget is whole again (0 when empty). */
  resetMs: number;
}

export interface RateWindow {
  /** Admits and records a request, or says how long until it would fit; a refused request is not recorded. */
  admit(tokens: number, limits: RateLimits, now?: number): Admission;
  snapshot(windowMs: number, now?: number): RateSnapshot;
  clear(): void;
}

/**
 * A sliding window over request arrival times: a request counts against rpm/tpm for exactly `windowMs`
 * after it arrived. Unlike fixed minute buckets, a burst at a bucket edge cannot double the rate.
 *
 * @example
 * const window = createRateWindow();
 * window.admit(120, { rpm: 60, tpm: 10_000, windowMs: 60_000 }); // { isAdmitted: true }
 */
export function createRateWindow(): RateWindow {
  let entries: Array<{ time: number; tokens: number }> = []; // oldest first

  const prune = (windowMs: number, now: number): void => {
    const firstLive = entries.findIndex((entry) => entry.time + windowMs > now);
    entries = firstLive === -1 ? [] : entries.slice(firstLive);
  };

  return {
    admit(tokens, { rpm, tpm, windowMs }, now = Date.now()) {
      prune(windowMs, now);
      const expiresIn = (entry: { time: number } | undefined): number =>
        entry === undefined ? windowMs : entry.time + windowMs - now;
      if (rpm !== undefined && entries.length + 1 > rpm) {
        // the request fits once enough of the oldest requests have left the window
        return { isAdmitted: false, limit: 'requests', retryAfterMs: expiresIn(entries[entries.length - rpm]) };
      }
      if (tpm !== undefined) {
        let used = entries.reduce((sum, entry) => sum + entry.tokens, 0);
        if (used + tokens > tpm) {
          if (tokens > tpm) return { isAdmitted: false, limit: 'tokens', retryAfterMs: windowMs }; // never fits
          let waitFor: { time: number } | undefined;
          for (const entry of entries) {
            used -= entry.tokens;
            waitFor = entry;
            if (used + tokens <= tpm) break;
          }
          return { isAdmitted: false, limit: 'tokens', retryAfterMs: expiresIn(waitFor) };
        }
      }
      entries.push({ time: now, tokens });
      return { isAdmitted: true };
    },
    snapshot(windowMs, now = Date.now()) {
      prune(windowMs, now);
      const newest = entries.at(-1);
      return {
        requests: entries.length,
        tokens: entries.reduce((sum, entry) => sum + entry.tokens, 0),
        resetMs: newest === undefined ? 0 : newest.time + windowMs - now,
      };
    },
    clear() {
      entries = [];
    },
  };
}
