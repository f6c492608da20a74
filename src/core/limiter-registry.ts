import { createRateLimiter, type RateLimiter, type RateLimits } from './rate-limiter.js';

/** Budgets for every model, or per model key (`provider:model`). */
export type LimitsSetting = RateLimits | ((modelKey: string) => RateLimits);

export interface LimiterRegistry {
  /** The one limiter for this provider + model, created on first use. */
  limiterFor(modelKey: string): RateLimiter;
}

/**
 * One limiter per provider + model, shared by everything that holds the registry. Pass the same
 * registry to several runtimes to make them share a provider budget.
 *
 * @example
 * const limiters = createLimiterRegistry({ rpm: 60 });
 * const a = createRuntime({ model, limiters });
 * const b = createRuntime({ model, limiters }); // same 60 RPM for both
 */
export function createLimiterRegistry(limits: LimitsSetting = {}): LimiterRegistry {
  const limiters = new Map<string, RateLimiter>();
  return {
    limiterFor(modelKey) {
      let limiter = limiters.get(modelKey);
      if (!limiter) {
        limiter = createRateLimiter(typeof limits === 'function' ? limits(modelKey) : limits);
        limiters.set(modelKey, limiter);
      }
      return limiter;
    },
  };
}
