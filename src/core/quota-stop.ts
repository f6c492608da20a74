import { QuotaExhaustedError } from './errors.js';

/** Ends a run once a daily quota is spent and no step of it is still in flight. */
export interface QuotaStop {
  /** A step goes to its limiter. */
  enter(): void;
  /** The step ended, with its error if it failed. */
  leave(error?: unknown): void;
}

/**
 * A spent daily quota ends the run: the limiter already refuses every new call with the
 * `QuotaExhaustedError`; the calls in flight are let finish (their answers are paid for), and when
 * none is left the run's signal aborts with that error, so the workflow ends with one error (and the
 * CLI with one line) instead of one failure per item.
 *
 * @example
 * const quotaStop = createQuotaStop(controller);
 * quotaStop.enter();
 * try { await runStep(...) } catch (error) { quotaStop.leave(error); throw error; } quotaStop.leave();
 */
export function createQuotaStop(controller: AbortController): QuotaStop {
  let inFlight = 0;
  let spent: QuotaExhaustedError | undefined;
  return {
    enter() {
      inFlight += 1;
    },
    leave(error) {
      inFlight -= 1;
      if (error instanceof QuotaExhaustedError) spent ??= error;
      if (spent && inFlight === 0 && !controller.signal.aborted) controller.abort(spent);
    },
  };
}
