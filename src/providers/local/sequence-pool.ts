/** What the pool needs from a context sequence: how much of a prompt it already holds. */
export interface PrefixHolder<Token> {
  compareContextTokens(tokens: Token[]): { firstDifferentIndex: number };
}

/** A sequence lent to one call; `release` hands it to the next waiter (calling it twice is harmless). */
export interface SequenceLease<Sequence> {
  sequence: Sequence;
  /** Prompt tokens already evaluated in this sequence, which the call will not evaluate again. */
  reusedPrefixTokens: number;
  release(): void;
}

export interface SequencePool<Sequence, Token> {
  /** Waits for a free sequence (or the signal), preferring the one holding the longest prefix of `promptTokens`. */
  acquire(promptTokens: Token[], signal?: AbortSignal): Promise<SequenceLease<Sequence>>;
  /** Sequences lent out right now. */
  readonly busy: number;
  /** The most sequences ever lent out at once. */
  readonly peakBusy: number;
  /** Calls waiting for a sequence. */
  readonly waiting: number;
  readonly size: number;
}

interface Waiter<Sequence, Token> {
  promptTokens: Token[];
  grant(sequence: Sequence): void;
}

/**
 * A pool of context sequences. Calls hold one sequence each and run at once (node-llama-cpp
 * batches their tokens into one decode); only calls beyond the pool size wait, first come first served.
 *
 * @example
 * const pool = createSequencePool(Array.from({ length: 4 }, () => context.getSequence()));
 * const lease = await pool.acquire(promptTokens, signal);
 * try { ... } finally { lease.release(); }
 */
export function createSequencePool<Sequence extends PrefixHolder<Token>, Token>(
  sequences: readonly Sequence[],
): SequencePool<Sequence, Token> {
  // least recently released first, so a tie leaves the freshest caches for the calls that follow
  const free: Sequence[] = [...sequences];
  const waiters: Waiter<Sequence, Token>[] = [];
  let busy = 0;
  let peakBusy = 0;

  function lend(sequence: Sequence, promptTokens: Token[]): SequenceLease<Sequence> {
    busy += 1;
    peakBusy = Math.max(peakBusy, busy);
    let released = false;
    return {
      sequence,
      reusedPrefixTokens: reusablePrefixLength(sequence, promptTokens),
      release() {
        if (released) return;
        released = true;
        busy -= 1;
        const next = waiters.shift();
        if (next) next.grant(sequence);
        else free.push(sequence);
      },
    };
  }

  function takeBestFree(promptTokens: Token[]): Sequence {
    let bestIndex = 0;
    let bestLength = -1;
    free.forEach((sequence, index) => {
      const length = reusablePrefixLength(sequence, promptTokens);
      if (length > bestLength) {
        bestIndex = index;
        bestLength = length;
      }
    });
    return free.splice(bestIndex, 1)[0]!;
  }

  return {
    get busy() {
      return busy;
    },
    get peakBusy() {
      return peakBusy;
    },
    get waiting() {
      return waiters.length;
    },
    get size() {
      return sequences.length;
    },
    acquire(promptTokens, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (free.length > 0) return Promise.resolve(lend(takeBestFree(promptTokens), promptTokens));
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter<Sequence, Token> = {
          promptTokens,
          grant(sequence) {
            signal?.removeEventListener('abort', onAbort);
            resolve(lend(sequence, waiter.promptTokens));
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
  };
}

function reusablePrefixLength<Token>(sequence: PrefixHolder<Token>, promptTokens: Token[]): number {
  // the last prompt token is always evaluated again: its logits pick the first generated token
  return Math.min(sequence.compareContextTokens(promptTokens).firstDifferentIndex, Math.max(0, promptTokens.length - 1));
}
