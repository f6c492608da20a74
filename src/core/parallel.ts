import pLimit from 'p-limit';
import { cancellationError, RunCancelledError } from './errors.js';
import { group } from './scope.js';

/** One item's outcome: its value, or why it failed. The others are unaffected either way. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface ParallelOptions {
  /** Items running at once. The shared provider limiter, not this, paces the calls. @default Infinity */
  concurrency?: number;
  /** Stop starting items after the first failure; items not started fail with the cancellation. @default false */
  failFast?: boolean;
  signal?: AbortSignal;
  /** Names each item's group in traces and journal keys. @default 'item' */
  name?: string;
}

/**
 * Runs `run` over every item concurrently and settles each one on its own.
 *
 * @example
 * const results = await parallel(questions, (question) => braid.step({ name: 'answer', prompt: question, schema: Answer }));
 * const answers = results.filter((result) => result.ok);
 */
export async function parallel<Item, Result>(
  items: readonly Item[],
  run: (item: Item, index: number, signal: AbortSignal) => Promise<Result>,
  { concurrency = Number.POSITIVE_INFINITY, failFast = false, signal, name = 'item' }: ParallelOptions = {},
): Promise<Settled<Result>[]> {
  const limit = pLimit(concurrency);
  const stop = new AbortController();
  const itemSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  return Promise.all(
    items.map((item, index) =>
      limit(async (): Promise<Settled<Result>> => {
        // a cancelled run, or a failed fail-fast one, starts nothing new
        if (signal?.aborted) return { ok: false, error: cancellationError(signal) };
        if (stop.signal.aborted) {
          return { ok: false, error: new RunCancelledError('not started: an earlier item failed (failFast)', { cause: stop.signal.reason }) };
        }
        try {
          return { ok: true, value: await group(`${name}[${index}]`, () => run(item, index, itemSignal)) };
        } catch (error) {
          if (failFast) stop.abort(error);
          return { ok: false, error }; // one bad item must not sink the rest
        }
      }),
    ),
  );
}

/** The values of the items that succeeded, in input order. */
export function succeeded<T>(results: readonly Settled<T>[]): T[] {
  return results.flatMap((result) => (result.ok ? [result.value] : []));
}
