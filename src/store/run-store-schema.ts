import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { InputError } from '../core/errors.js';
import { inWriteTransaction } from './in-write-transaction.js';

/** Bumped when the schema changes; a file from a newer braid is refused rather than misread. */
const SCHEMA_VERSION = 1;

/**
 * Creates the tables on first use. The version check runs under the write lock, so two processes
 * opening a new file at once create them once.
 *
 * @throws {InputError} when the file was written by a newer braid.
 */
export function prepareRunStoreSchema(database: DatabaseSync, file: string): void {
  inWriteTransaction(database, () => {
    const version = readUserVersion(database.prepare('PRAGMA user_version').get()?.user_version);
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) {
      throw new InputError(
        `the run store ${file} has schema version ${version}, newer than this braid understands (${SCHEMA_VERSION}); use a newer braid or another --store file`,
      );
    }
    database.exec(SCHEMA_SQL);
    database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

function readUserVersion(value: SQLOutputValue | undefined): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/**
 * Times are epoch milliseconds. `steps` and `spans` carry no foreign key to `runs`: a runtime may
 * journal steps for a run id the runs table never heard of (a library user with only a journal).
 */
const SCHEMA_SQL = `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    workflow TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    -- the process running it: a 'running' row whose process is gone was interrupted
    pid INTEGER,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    steps_total INTEGER,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    -- what earlier sessions of a resumed run spent; the summary a session finishes with counts only its own calls
    prior_input_tokens INTEGER NOT NULL DEFAULT 0,
    prior_output_tokens INTEGER NOT NULL DEFAULT 0,
    prior_cost_usd REAL NOT NULL DEFAULT 0,
    model TEXT NOT NULL,
    command_json TEXT NOT NULL
  );
  CREATE INDEX runs_by_start ON runs (started_at);

  CREATE TABLE steps (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value_json TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
  );

  CREATE TABLE cache (
    hash TEXT PRIMARY KEY,
    value_json TEXT NOT NULL,
    written_at INTEGER NOT NULL
  );
  CREATE INDEX cache_by_age ON cache (written_at);

  CREATE TABLE spans (
    sequence INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    span_json TEXT NOT NULL
  );
  CREATE INDEX spans_by_run ON spans (run_id);
`;
