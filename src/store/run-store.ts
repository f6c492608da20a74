import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { BraidError } from '../core/errors.js';
import type { ResponseCache, StepJournal } from '../core/step-store.js';
import { InputError } from '../workflows/input-error.js';
import { createResponseCache, type ResponseCacheOptions } from './response-cache.js';
import { openSqlite } from './open-sqlite.js';
import { createRunJournal } from './run-journal.js';
import { prepareRunStoreSchema } from './run-store-schema.js';
import { createRunsTable, type RunsTable } from './runs-table.js';

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

/** braid's embedded run store: the step journal, the response cache and the table of runs with their spans. */
export interface RunStore extends RunsTable {
  /** Durable when `write` returns; survives the process being killed. */
  readonly journal: StepJournal;
  /** A view of the shared response cache that ignores (and deletes) entries older than `ttlMs`. */
  responseCache(options?: ResponseCacheOptions): ResponseCache;
  /** Closes the database. Calling it again does nothing. */
  close(): void;
}

/**
 * Opens (creating it and its folder on first use) the run store at `file`; `':memory:'` gives a
 * private in-memory one. Several processes may share a file: SQLite serializes their writes.
 *
 * @throws {InputError} when the file cannot be opened or was written by a newer braid.
 * @example
 * const store = openRunStore(defaultStorePath());
 * store.startRun({ runId, workflow: 'faq', command: process.argv.slice(1), model: 'openai:gpt-4o-mini' });
 * const braid = createRuntime({ model, runId, journal: store.journal, cache: store.responseCache({ ttlMs: 86_400_000 }), onSpan: store.recordSpan });
 */
export function openRunStore(file: string, { busyTimeoutMs = 5000, now = Date.now }: RunStoreOptions = {}): RunStore {
  const isMemory = file === ':memory:';
  let database: DatabaseSync;
  try {
    if (!isMemory) mkdirSync(dirname(file), { recursive: true });
    database = openSqlite(file);
  } catch (error) {
    throw new InputError(`cannot open the run store ${file}`, { cause: error });
  }
  try {
    database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    // WAL lets `braid runs` read while a run writes; an in-memory database keeps 'memory'
    database.exec('PRAGMA journal_mode = WAL');
    // in WAL mode NORMAL syncs only at checkpoints: a commit survives a killed process (what resume
    // needs), though not a power loss, and a step's write costs microseconds instead of an fsync
    database.exec('PRAGMA synchronous = NORMAL');
    prepareRunStoreSchema(database, file);
  } catch (error) {
    database.close();
    if (error instanceof BraidError) throw error;
    throw new InputError(`cannot prepare the run store ${file}`, { cause: error });
  }

  const clock = { now };
  const runs = createRunsTable(database, clock);
  let isClosed = false;
  return {
    ...runs,
    journal: createRunJournal(database, clock),
    responseCache: (options) => createResponseCache(database, clock, options),
    close() {
      if (isClosed) return;
      isClosed = true;
      database.close();
    },
  };
}
