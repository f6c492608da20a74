import { createRuntime, type Runtime, type RuntimeOptions } from '../core/runtime.js';
import { BraidError } from '../core/errors.js';
import type { RunStore } from './run-store.js';

/**
 * A runtime that continues run `runId` from `store`'s journal: run the same workflow with it and
 * every step the run finished replays without a model call; the rest run now.
 *
 * @example
 * const store = openRunStore(defaultStorePath());
 * const braid = resume(store, 'crashed-run-id', { model });
 * await braid.run('faq', () => generateFaq(braid, documents, { questions: 5 }));
 */
export function resume(store: RunStore, runId: string, options: Omit<RuntimeOptions, 'runId' | 'journal'>): Runtime {
  if (!store.getRun(runId)) throw new BraidError(`no run ${runId} in this store to resume`);
  return createRuntime({ ...options, runId, journal: store.journal });
}
