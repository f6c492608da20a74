import { cancellationError, RunCancelledError, RunWaitingError } from './errors.js';
import type { Run } from './run.js';

/** One item's outcome: its value, or why it failed. The others are unaffected either way. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface ParallelOptions {
  /** Items running at once. The shared provider limiter, not this, paces the calls. @default Infinity */
  concurrency?: number;
  /** Stop starting items after the first failure; items not started fail with the cancellation. @default false */
  failFast?: boolean;
  /** Also cancels the items, besides the run's own signal. */
  signal?: AbortSignal;
  /** Names each item's scope in traces and journal keys: `item[0]`, `item[1]`… @default 'item' */
  name?: string;
}

/** `parallel`'s options where they depend on the items. */
export interface ParallelItemOptions<Item> extends ParallelOptions {
  /** What each item is (a title, a query's first words), shown in the timeline. */
  label?: (item: Item, index: number) => string;
}

/**
 * Runs `body` over every item concurrently, each in its own child scope named by its index, and
 * settles each one on its own. The run's `parallel` method.
 *
 * An item that stops at a wait (`waitFor`, `sleep`) stops alone: the others run to their end (and
 * are journaled), then `parallel` throws one `RunWaitingError` with every item's waits, so the run
 * suspends instead of going on with a missing result. On resume the finished items replay.
 */
export async function parallel<Item, Result>(
  run: Run,
  items: readonly Item[],
  body: (item: Item, run: Run, index: number) => Promise<Result>,
  { concurrency = Number.POSITIVE_INFINITY, failFast = false, signal, name = 'item', label }: ParallelItemOptions<Item> = {},
): Promise<Settled<Result>[]> {
  if (!(concurrency >= 1)) throw new TypeError(`parallel: concurrency must be 1 or more, got ${concurrency}`);
  // a signal of its own only when something besides the run can stop the items
  const stop = failFast ? new AbortController() : undefined;
  const extra = [signal, stop?.signal].filter((candidate) => candidate !== undefined);
  const itemSignal = extra.length === 0 ? undefined : extra.length === 1 ? extra[0] : AbortSignal.any(extra);
  // the items a stop leaves unstarted share one error: building 100,000 of them (a stack each) would
  // hold up a cancelled batch for seconds
  let runCancelled: Settled<Result> | undefined;
  let signalCancelled: Settled<Result> | undefined;
  let failedFast: Settled<Result> | undefined;
  const runItem = async (item: Item, index: number): Promise<Settled<Result>> => {
    // a cancelled run, or a failed fail-fast one, starts nothing new
    if (run.signal.aborted) return (runCancelled ??= { ok: false, error: cancellationError(run.signal) });
    if (signal?.aborted) return (signalCancelled ??= { ok: false, error: cancellationError(signal) });
    if (stop?.signal.aborted) {
      return (failedFast ??= { ok: false, error: new RunCancelledError('not started: an earlier item failed (failFast)', { cause: stop.signal.reason }) });
    }
    try {
      const value = await run.group(`${name}[${index}]`, (itemRun) => body(item, itemRun, index), { signal: itemSignal, label: label?.(item, index) });
      return { ok: true, value };
    } catch (error) {
      // a waiting item is not a failure: fail-fast siblings go on
      if (!(error instanceof RunWaitingError)) stop?.abort(error);
      return { ok: false, error }; // one bad item must not sink the rest
    }
  };
  // `concurrency` workers take the next item as each finishes: a batch of 100,000 items queues no
  // promise or closure per item, only its result slot
  const settled = new Array<Settled<Result>>(items.length);
  let next = 0;
  const work = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) settled[index] = await runItem(items[index]!, index);
  };
  const workers = Math.min(items.length, Math.max(1, concurrency));
  await Promise.all(Array.from({ length: workers }, work));
  const waiting = settled.flatMap((result) => (!result.ok && result.error instanceof RunWaitingError ? [result.error] : []));
  if (waiting.length > 0) throw RunWaitingError.merge(waiting);
  return settled;
}

/** The values of the items that succeeded, in input order. */
export function succeeded<T>(results: readonly Settled<T>[]): T[] {
  return results.flatMap((result) => (result.ok ? [result.value] : []));
}
