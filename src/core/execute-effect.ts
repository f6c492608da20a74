import type { z } from 'zod';
import { BraidError, cancellationError } from './errors.js';
import { excerpt, statusOf } from './execute-step.js';
import type { EffectContext, EffectOptions } from './run.js';
import type { RunJournalAccess } from './run-journal-access.js';
import { nextChildPath, type ScopePosition } from './scope.js';
import type { SpanRecorder } from './span-recorder.js';
import { valueFingerprint } from './step-fingerprint.js';

/** What an effect needs from its runtime. */
export interface EffectEngine {
  runId: string;
  spans: SpanRecorder;
  journal: RunJournalAccess;
}

/**
 * Runs a side effect once per run and position. Its result goes through JSON (what the journal can
 * keep), so the first run and every replay hand back the same value; a resume replays it instead
 * of acting again, and refuses (`ChangedEffectError`) when the effect's input changed since.
 */
export async function executeEffect<Value>(
  engine: EffectEngine,
  scope: ScopePosition,
  name: string,
  run: (context: EffectContext) => Value | Promise<Value>,
  { input, schema, key: explicitKey }: EffectOptions<Value> = {},
): Promise<Value> {
  const key = explicitKey ?? nextChildPath(scope, name);
  const span = engine.spans.open({ kind: 'effect', name, key, parentId: scope.spanId });
  try {
    scope.signal.throwIfAborted();
    const fingerprint = valueFingerprint(['effect', name, input ?? null]);
    const check = (value: unknown): boolean => !schema || (schema as z.ZodType).safeParse(value).success;
    const replayed = engine.journal.lookupEffect(key, fingerprint, check);
    if (replayed) {
      span.replayed = 'journal';
      span.output = excerpt(JSON.stringify(replayed.value));
      engine.spans.close(span, 'ok');
      return replayed.value as Value;
    }
    const result = await run({ idempotencyKey: `${engine.runId}:${key}`, signal: scope.signal });
    const value = toJsonValue(result, key);
    if (schema) (schema as z.ZodType).parse(value);
    const failure = await engine.journal.write(key, { value, inputHash: fingerprint });
    if (failure !== undefined) span.journalError = failure instanceof Error ? failure.message : String(failure);
    span.output = excerpt(JSON.stringify(value));
    engine.spans.close(span, 'ok');
    return value as Value;
  } catch (error) {
    const failure = scope.signal.aborted && !(error instanceof BraidError) ? cancellationError(scope.signal) : error;
    span.error = failure instanceof Error ? failure.message : String(failure);
    engine.spans.close(span, statusOf(failure));
    throw failure;
  }
}

/** The value as the journal will give it back: JSON, so a replay returns exactly what the first run did. */
function toJsonValue(value: unknown, key: string): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`effect ${key} returned a value JSON cannot hold (a function or a symbol)`);
  return JSON.parse(text);
}
