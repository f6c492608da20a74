import { outputTokenBound } from './output-token-bound.js';

/** Output tokens assumed for a call when neither its schema, its cap nor this run's history bounds them. */
const UNBOUNDED_OUTPUT_TOKENS = 512;

/**
 * How many output tokens a call will likely write, for the limiter's TPM hold and the cost cap's
 * estimate before the call: the most this step (by model and name) wrote so far in the run, else
 * what its schema allows, else its output cap. Reconciled with the real usage once the call ends.
 */
export interface OutputEstimator {
  estimate(modelKey: string, stepName: string, jsonSchema: unknown, maxOutputTokens: number | undefined): number;
  observe(modelKey: string, stepName: string, outputTokens: number): void;
}

export function createOutputEstimator(): OutputEstimator {
  const mostSeen = new Map<string, number>();
  // the bound of a schema object is computed once; a fan-out sends the same schema many times
  const bounds = new WeakMap<object, number>();
  return {
    estimate(modelKey, stepName, jsonSchema, maxOutputTokens) {
      const cap = maxOutputTokens ?? Number.POSITIVE_INFINITY;
      const seen = mostSeen.get(`${modelKey}\u0000${stepName}`);
      if (seen !== undefined) return Math.min(seen, cap);
      let bound = Number.POSITIVE_INFINITY;
      if (jsonSchema !== undefined && typeof jsonSchema === 'object' && jsonSchema !== null) {
        bound = bounds.get(jsonSchema) ?? outputTokenBound(jsonSchema);
        bounds.set(jsonSchema, bound);
      }
      const estimate = Math.min(bound, cap);
      return Number.isFinite(estimate) ? estimate : UNBOUNDED_OUTPUT_TOKENS;
    },
    observe(modelKey, stepName, outputTokens) {
      const key = `${modelKey}\u0000${stepName}`;
      mostSeen.set(key, Math.max(mostSeen.get(key) ?? 0, outputTokens));
    },
  };
}
