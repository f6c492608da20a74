import { CostLimitError, MissingSettingError, cancellationError } from './errors.js';
import { costOf, findPrice, type Price, type PriceTable } from './prices.js';

/** An attempt's share of the budget while it is on the wire. */
export interface CostReservation {
  /** Replaces the estimate with what the attempt really cost; `completesStep` when its answer was valid. Calling it again does nothing. */
  settle(costUsd: number, completesStep?: boolean): void;
}

export interface CostEstimate {
  modelKey: string;
  inputTokens: number;
  outputTokens: number;
}

/** A run's spending, and its cap when it has one. */
export interface CostBudget {
  readonly spentUsd: number;
  priceOf(modelKey: string): Price | undefined;
  /**
   * Holds the attempt's estimated cost against the cap. When the estimate fits only once calls in
   * flight have settled, it waits for them (their real cost is usually below their estimate); when
   * it cannot fit even then, it throws `CostLimitError`, and from then on every reservation does.
   */
  reserve(estimate: CostEstimate, signal: AbortSignal): Promise<CostReservation>;
  /** A step finished without a call (replayed): counted in the `CostLimitError` a later refusal reports. */
  countCompletedStep(): void;
}

export function createCostBudget({ maxCostUsd, prices }: { maxCostUsd: number | undefined; prices: PriceTable }): CostBudget {
  let spentUsd = 0;
  let reservedUsd = 0;
  let completedSteps = 0;
  let isCapReached = false;
  let wakeWaiters: (() => void)[] = [];

  const settleOnce = (reservedShare: number): CostReservation => {
    let isSettled = false;
    return {
      settle(costUsd, completesStep = false) {
        if (isSettled) return;
        isSettled = true;
        reservedUsd -= reservedShare;
        spentUsd += costUsd;
        if (completesStep) completedSteps += 1;
        const waiters = wakeWaiters;
        wakeWaiters = [];
        for (const wake of waiters) wake();
      },
    };
  };

  return {
    get spentUsd() {
      return spentUsd;
    },
    priceOf: (modelKey) => findPrice(prices, modelKey),
    async reserve({ modelKey, inputTokens, outputTokens }, signal) {
      if (maxCostUsd === undefined) return settleOnce(0);
      const price = findPrice(prices, modelKey);
      if (!price) throw new MissingSettingError('prices', `a cost cap needs a price for ${modelKey}: give it in prices (the CLI: --prices FILE)`);
      const estimate = costOf(price, { inputTokens, outputTokens });
      for (;;) {
        // once reached, the cap stays reached: nothing new starts, calls in flight finish
        if (isCapReached || spentUsd + estimate > maxCostUsd) {
          isCapReached = true;
          throw new CostLimitError(spentUsd, maxCostUsd, completedSteps);
        }
        if (spentUsd + reservedUsd + estimate <= maxCostUsd) {
          reservedUsd += estimate;
          return settleOnce(estimate);
        }
        await waitForSettle(signal);
      }
    },
    countCompletedStep() {
      completedSteps += 1;
    },
  };

  function waitForSettle(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(cancellationError(signal));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      wakeWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}
