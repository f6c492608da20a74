import type { SignalOutcome } from '../core/wait-journal.js';
import type { RunStore } from './run-store.js';
import type { RunStatus } from './runs-table.js';

export interface SignalOptions {
  /**
   * The wait's position (as `braid runs` and `RunWaitingError.waits` show it). Needed when several
   * waits of one name are pending in the run (waits inside `parallel` items); to answer a wait the
   * run has not reached yet, it names the one position the answer is for.
   */
  key?: string;
}

/** Where a signal went, and where the run stands: resume a `waiting` run to go on. */
export interface SignalResult extends SignalOutcome {
  /** The run's status after the signal; undefined for a run the runs table does not list (a bare runtime). */
  runStatus?: RunStatus;
}

/**
 * Answers what run `runId` waits for under `name` (`run.waitFor(name, schema)`), in `store`. The
 * value is checked against the schema the wait recorded; a wrong shape is refused and nothing is
 * stored. The answer is kept under the run and the wait's position, so it can never reach another
 * run or another branch: when several waits of that name are pending, `key` must say which. When
 * none is pending yet, the answer is kept until the run reaches the first wait of that name (or
 * the one at `key`), which takes it if its schema accepts it.
 *
 * `signal` only stores the answer: resume the run (`resume(store, runId, …)` and the same workflow,
 * or `braid resume`, which `braid signal` does for CLI runs) to go on from the wait.
 *
 * @throws {InvalidSignalError} when the value does not fit the wait's schema (an `InputError`).
 * @throws {InputError} when no such run exists or it has ended, several waits match and no key
 *   says which, the wait is a sleep, or it was answered already.
 * @example
 * const result = signal(store, runId, 'approval', { approved: true });
 * if (result.runStatus === 'waiting') await refundWorkflow(resume(store, runId, { model, workflow: 'refund', input }));
 */
export function signal(store: RunStore, runId: string, name: string, value: unknown, { key }: SignalOptions = {}): SignalResult {
  const outcome = store.waits.deliver(runId, { name, value, ...(key === undefined ? {} : { key }) });
  const runStatus = store.getRun(runId)?.status;
  return runStatus === undefined ? outcome : { ...outcome, runStatus };
}
