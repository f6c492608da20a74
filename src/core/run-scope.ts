import { chain } from './chain.js';
import { evaluateOptimize } from './evaluate-optimize.js';
import { executeEffect, type EffectEngine } from './execute-effect.js';
import { executeStep, statusOf, type StepEngine } from './execute-step.js';
import { executeStream } from './execute-stream.js';
import { executeSleep, executeWait, type WaitEngine } from './execute-wait.js';
import { orchestrate } from './orchestrate.js';
import { parallel } from './parallel.js';
import { route } from './route.js';
import type { Link, Run } from './run.js';
import { nextChildPath, type ScopePosition } from './scope.js';

export type ScopeEngine = StepEngine & EffectEngine & WaitEngine;

/**
 * The `Run` at one position of a run: every method acts at this position, and every pattern hands
 * its body a child scope of its own, so journal keys follow the workflow's structure.
 */
export function createRunScope(engine: ScopeEngine, position: ScopePosition): Run {
  const scope: Run = {
    runId: engine.runId,
    signal: position.signal,
    path: position.path,
    step: (options) => executeStep(engine, position, options),
    stream: (options) => executeStream(engine, position, options),
    effect: (name, run, options) => executeEffect(engine, position, name, run, options),
    waitFor: (name, schema, options) => executeWait(engine, position, name, schema, options),
    sleep: (ms, options) => executeSleep(engine, position, ms, options),
    async group(name, body, { signal, label, cacheVariant } = {}) {
      const path = nextChildPath(position, name);
      const span = engine.spans.open({ kind: 'group', name, key: path, parentId: position.spanId, ...(label === undefined ? {} : { label }) });
      const childSignal = signal ? AbortSignal.any([position.signal, signal]) : position.signal;
      const variant = cacheVariant === undefined ? position.cacheVariant : [position.cacheVariant, cacheVariant].filter((part) => part !== undefined).join('/');
      const child = createRunScope(engine, { spanId: span.id, path, signal: childSignal, counters: new Map(), ...(variant === undefined ? {} : { cacheVariant: variant }) });
      try {
        const result = await body(child);
        engine.spans.close(span, 'ok');
        return result;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 'waiting') span.error = error instanceof Error ? error.message : String(error);
        engine.spans.close(span, status);
        throw error;
      }
    },
    parallel: (items, body, options) => parallel(scope, items, body, options),
    chain: ((input: unknown, ...links: Link<unknown, unknown>[]) => chain(scope, input, links)) as Run['chain'],
    route: (input, options) => route(scope, input, options),
    orchestrate: (input, options) => orchestrate(scope, input, options),
    evaluateOptimize: (options) => evaluateOptimize(scope, options),
  };
  return scope;
}
