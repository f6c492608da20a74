import type { ResponseCache, StepJournal } from '../core/step-store.js';
import { defaultStorePath } from './default-store-path.js';
import { createEvalsTable, prepareEvalsTable, type EvalsTable } from './evals-table.js';
import { createResponseCache, type ResponseCacheOptions } from './response-cache.js';
import { openSqlite } from './open-sqlite.js';
import { pruneRuns, type PrunedRuns } from './prune-runs.js';
import { createRunJournal } from './run-journal.js';
import { prepareRunStoreSchema } from './run-store-schema.js';
import { createRunsTable, type RunsTable } from './runs-table.js';
import { createWaitTable, type WaitTable } from './wait-table.js';

export interface RunStoreOptions {
  /**
   * How long a write waits for another process sharing the file to finish its own.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * The clock (epoch milliseconds) that stamps runs, journal and cache entries; tests pass their own.
   * @default Date.now
   */
  now?: () => number;
}

/** braid's embedded run store: the step journal, the response cache, the table of runs with their spans, and evals. */
export interface RunStore extends RunsTable, EvalsTable {
  /** Durable when `write` returns; survives the process being killed. */
  readonly journal: StepJournal;
  /** The runs' durable waits and their answers; `signal(store, …)` delivers to it. */
  readonly waits: WaitTable;
  /** A view of the shared response cache that ignores (and deletes) entries older than `ttlMs`. */
  responseCache(options?: ResponseCacheOptions): ResponseCache;
  /** Deletes the runs that finished more than `olderThanMs` ago, with their steps and spans. */
  pruneRuns(options: { olderThanMs: number }): PrunedRuns;
  /** Closes the database. Calling it again does nothing. */
  close(): void;
}

/**
 * Opens (creating it and its folder on first use) the run store at `file`; `':memory:'` gives a
 * private in-memory one. Several processes may share a file: SQLite serializes their writes.
 *
 * @throws {InputError} when the file cannot be opened or was written by a newer braid.
 * @example
 * const store = openRunStore(); // braid's own: $BRAID_HOME/runs.db
 * const run = startRun(store, { model, workflow: 'facts', input: { metals } });
 */
export function openRunStore(file: string = defaultStorePath(), { busyTimeoutMs = 5000, now = Date.now }: RunStoreOptions = {}): RunStore {
  const database = openSqlite(file, {
    what: 'the run store',
    busyTimeoutMs,
    // in WAL mode NORMAL syncs only at checkpoints: a commit survives a killed process (what resume
    // needs), though not a power loss, and a step's write costs microseconds instead of an fsync
    pragmas: ['synchronous = NORMAL'],
    prepare: (opened) => {
      prepareRunStoreSchema(opened, file);
      prepareEvalsTable(opened);
    },
  });

  const clock = { now };
  const waits = createWaitTable(database, clock);
  const runs = createRunsTable(database, { now, pendingWaits: (runId) => waits.pending(runId) });
  let isClosed = false;
  return {
    ...runs,
    ...createEvalsTable(database, clock),
    journal: createRunJournal(database, clock),
    waits,
    responseCache: (options) => createResponseCache(database, clock, options),
    pruneRuns: ({ olderThanMs }) => pruneRuns(database, { olderThanMs, now }),
    close() {
      if (isClosed) return;
      isClosed = true;
      database.close();
    },
  };
}
