import { modelKeyOf } from '../core/model-key.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../core/runtime.js';
import type { RunSummary } from '../core/run-summary.js';
import type { SpanStatus } from '../core/span.js';
import type { RunStore } from './run-store.js';

/** How long `cache: true` answers stay valid: a week. */
export const DEFAULT_CACHE_TTL_MS = 7 * 24 * 3_600_000;

export interface StartRunOptions extends Omit<RuntimeOptions, 'journal' | 'waits' | 'cache' | 'runId' | 'name'> {
  /** The workflow's name: a run id reused by another workflow is refused. Also names the root span. */
  workflow: string;
  /**
   * The inputs that shape the run's output, by name (documents, queries, options). A run id reused
   * with other inputs is refused, naming the parts that differ. @default {}
   */
  input?: Record<string, unknown>;
  /** @default a random id */
  runId?: string;
  /** Answer steps from the store's response cache (any run's answers, with the same inputs). `true` keeps them a week. @default false */
  cache?: boolean | { ttlMs: number };
  /** The command line that runs it again, for `braid resume`. @default [] */
  command?: string[];
  /** The model as `braid runs` shows it. @default the model's `provider:model` */
  modelName?: string;
  /** Steps the run plans, for progress in `braid runs`. */
  stepsTotal?: number;
}

/**
 * Starts a durable run in `store` (or takes up the one named `runId` again, when it exists with the
 * same workflow and inputs): its steps and effects are journaled, its spans recorded, and it holds
 * a lease, so no other process runs it at the same time. `finish` records how it ended.
 *
 * @throws {RunIdentityError} when `runId` exists with another workflow or other inputs.
 * @throws {RunBusyError} when another live process is running it.
 * @example
 * const store = openRunStore();
 * const run = startRun(store, { model, workflow: 'facts', input: { metals }, runId: 'nightly' });
 * const facts = await run.parallel(metals, (metal, item) => item.step({ name: 'fact', prompt: metal }));
 * run.finish();
 */
export function startRun(store: RunStore, options: StartRunOptions): Runtime {
  return openStoredRun(store, options, false);
}

/**
 * Continues run `runId` from `store`'s journal: run the same workflow with the same inputs on it,
 * and every step and effect it finished replays instead of running again; the rest run now.
 *
 * @throws {InputError} when the store has no such run; see `startRun` for the rest.
 * @example
 * const run = resume(openRunStore(), 'nightly', { model, workflow: 'facts', input: { metals } });
 */
export function resume(store: RunStore, runId: string, options: Omit<StartRunOptions, 'runId'>): Runtime {
  return openStoredRun(store, { ...options, runId }, true);
}

/** How a session's end is recorded in the runs table. */
const STORED_STATUS = { ok: 'done', error: 'failed', cancelled: 'cancelled', waiting: 'waiting' } as const;

function openStoredRun(store: RunStore, options: StartRunOptions, mustExist: boolean): Runtime {
  const { workflow, input = {}, cache = false, command = [], modelName, stepsTotal, onSpan, ...runtimeOptions } = options;
  const runtime = createRuntime({
    ...runtimeOptions,
    name: workflow,
    journal: store.journal,
    waits: store.waits,
    cache: cache === false ? undefined : store.responseCache({ ttlMs: cache === true ? DEFAULT_CACHE_TTL_MS : cache.ttlMs }),
    onSpan: (span) => {
      try {
        store.recordSpan(span);
      } catch {
        // the trace is a record, not the result: a full disk must not fail the step that ended
      }
      onSpan?.(span);
    },
  });
  const lease = store.claimRun({
    runId: runtime.runId,
    identity: { workflow, input },
    command,
    model: modelName ?? modelKeyOf(options.model),
    stepsTotal,
    mustExist,
  });
  return {
    ...runtime,
    finish(status: SpanStatus = 'ok'): RunSummary {
      const summary = runtime.finish(status);
      lease.stopRenewing();
      try {
        store.finishRun(runtime.runId, { status: STORED_STATUS[status], summary });
      } catch {
        // a full disk: the lease lapses, and `braid runs` shows the run interrupted, to be resumed
      }
      return summary;
    },
  };
}
