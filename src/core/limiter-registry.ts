import type { LimitMemory } from './limit-memory.js';
import { createRateLimiter, type RateLimiter, type RateLimits } from './rate-limiter.js';

/** Budgets for every model, or per model key (`provider:model`). */
export type LimitsSetting = RateLimits | ((modelKey: string) => RateLimits);

export interface LimiterRegistryOptions {
  /** Keeps what the limiters learn between runs (see `openLimitsFile`); without it, learning lasts for the process. */
  memory?: LimitMemory;
}

export interface LimiterRegistry {
  /** The one limiter for this provider + model, created on first use. */
  limiterFor(modelKey: string): RateLimiter;
}

/**
 * One limiter per provider + model, shared by everything that holds the registry. Pass the same
 * registry to several runtimes to make them share a provider budget. Limits left out are learned
 * from the provider's answers, and with `memory`, remembered for the next run.
 *
 * @example
 * const limiters = createLimiterRegistry({ rpm: 60 });
 * const a = createRuntime({ model, limiters });
 * const b = createRuntime({ model, limiters }); // same 60 RPM for both
 */
export function createLimiterRegistry(limits: LimitsSetting = {}, { memory }: LimiterRegistryOptions = {}): LimiterRegistry {
  const limiters = new Map<string, RateLimiter>();
  return {
    limiterFor(modelKey) {
      let limiter = limiters.get(modelKey);
      if (!limiter) {
        limiter = createRateLimiter(typeof limits === 'function' ? limits(modelKey) : limits, {
          remembered: memory?.recall(modelKey),
          onLearned: memory ? (learned) => memory.remember(modelKey, learned) : undefined,
        });
        limiters.set(modelKey, limiter);
      }
      return limiter;
    },
  };
}
