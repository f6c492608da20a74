import type { z } from 'zod';
import { createEventLog } from './event-log.js';
import { executeStep, type StepEngine } from './execute-step.js';
import type { StepOptions } from './run.js';
import type { StepValue } from './run-step.js';
import type { ScopePosition } from './scope.js';
import { createStepStream, type StepStream, type StreamEvent, type StreamPartial } from './step-stream.js';
import { createStreamOnWire, type StreamSink } from './stream-on-wire.js';

/**
 * A streamed step at `scope`: the very step `executeStep` runs (same key, fingerprint, limiter,
 * retries, repairs, cost cap, spans, journal and cache), whose attempts stream their text into an
 * event log as it arrives. An attempt that follows one which already streamed text first logs a
 * `reset`. A step answered without a call (journal or cache) logs its whole value at once.
 */
export function executeStream<Schema extends z.ZodType | undefined>(
  engine: StepEngine,
  scope: ScopePosition,
  options: StepOptions<Schema>,
): StepStream<Schema> {
  const log = createEventLog<StreamEvent<Schema>>();
  const hasSchema = options.schema !== undefined;
  let attempts = 0;
  let isShowingText = false; // text went out since the last reset

  const sink: StreamSink = {
    begin(after) {
      attempts += 1;
      if (after !== undefined && isShowingText) log.push({ type: 'reset', reason: after, attempt: attempts });
      isShowingText = false;
    },
    text(delta) {
      isShowingText = true;
      log.push({ type: 'text', text: delta });
    },
    partial(partial) {
      log.push({ type: 'partial', partial: partial as StreamPartial<Schema> });
    },
  };

  const value = executeStep(engine, scope, options, createStreamOnWire(sink));
  value.then(
    (result: StepValue<Schema>) => {
      // replayed or cached: no call was made, so the stored value streams at once, whole
      if (attempts === 0) {
        log.push({ type: 'text', text: hasSchema ? JSON.stringify(result) : (result as string) });
        log.push({ type: 'partial', partial: result as StreamPartial<Schema> });
      }
      log.push({ type: 'value', value: result });
      log.end();
    },
    (error: unknown) => log.fail(error), // also marks `value` handled: a caller who reads only a stream gets the error from it
  );
  return createStepStream(log, value, { hasSchema });
}
