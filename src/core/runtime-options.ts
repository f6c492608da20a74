import { z } from 'zod';
import type { RuntimeOptions } from './runtime.js';

const positive = z.number().positive().finite();
const whole = (minimum: number) => z.number().int().min(minimum);

/** The shape of `limits` when it is an object; a function of the model key is checked by its limiter. */
export const RateLimitsShape = z.strictObject({
  concurrency: whole(1).optional(),
  rpm: positive.optional(),
  tpm: positive.optional(),
  windowMs: positive.optional(),
});

const isFunction = (value: unknown): boolean => typeof value === 'function';
const anything = z.custom<unknown>(() => true);

const RuntimeOptionsShape = z.strictObject({
  model: z.custom<unknown>((value) => typeof value === 'string' || (typeof value === 'object' && value !== null), 'a LanguageModel (createModel) is required'),
  limits: z.union([RateLimitsShape, z.custom<unknown>(isFunction)]).optional(),
  limiters: anything.optional(),
  retry: z
    .strictObject({ maxRetries: whole(0).optional(), baseDelayMs: z.number().min(0).optional(), maxDelayMs: z.number().min(0).optional() })
    .optional(),
  repairs: whole(0).optional(),
  timeoutMs: positive.optional(),
  maxCostUsd: z.number().min(0).finite().optional(),
  prices: z.record(z.string(), z.strictObject({ input: z.number().min(0), output: z.number().min(0), cachedInput: z.number().min(0).optional() })).optional(),
  signal: z.instanceof(AbortSignal).optional(),
  traceFile: z.string().min(1).optional(),
  onSpan: z.custom<unknown>(isFunction, 'a function').optional(),
  runId: z.string().min(1).max(200).optional(),
  name: z.string().min(1).optional(),
  journal: anything.optional(),
  waits: anything.optional(),
  cache: anything.optional(),
  strictResume: z.boolean().optional(),
});

/**
 * Checks runtime options where they enter, so `limits: { rpm: 0 }` or a misspelt option fails at
 * once with its name and value instead of surfacing later as something else (a run that never
 * starts a call, or one that looks cancelled).
 *
 * @throws {TypeError} naming the first bad option and its value.
 */
export function validateRuntimeOptions(options: RuntimeOptions): void {
  const parsed = RuntimeOptionsShape.safeParse(options);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw new TypeError(`createRuntime: unknown option ${issue.keys.map((key) => `"${key}"`).join(', ')}`);
  const path = issue.path.join('.');
  const value = issue.path.reduce<unknown>((node, part) => (node as Record<PropertyKey, unknown> | undefined)?.[part as PropertyKey], options);
  throw new TypeError(`createRuntime: option ${path} = ${describe(value)} is invalid: ${issue.message}`);
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
