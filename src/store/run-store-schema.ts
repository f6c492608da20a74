import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { InputError } from '../core/errors.js';
import { inWriteTransaction } from './in-write-transaction.js';

/** Bumped when the schema changes; a file from a newer braid is refused rather than misread. */
const SCHEMA_VERSION = 3;

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
    if (version === 0) database.exec(SCHEMA_SQL);
    else {
      if (version < 2) database.exec(MIGRATE_V1_TO_V2);
      database.exec(MIGRATE_V2_TO_V3);
    }
    database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

function readUserVersion(value: SQLOutputValue | undefined): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

const RUNS_TABLE = `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    workflow TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'waiting', 'done', 'failed', 'cancelled')),
    -- what the run was started with: {"part": "value or sha256"}; a reuse of the id with other inputs is refused
    identity_json TEXT,
    -- the process running it, and its lease: renewed while it runs, so a second process cannot run it too;
    -- a 'running' row whose lease lapsed (or whose process on this host is gone) was interrupted
    pid INTEGER,
    host TEXT,
    lease_owner TEXT,
    lease_expires_at INTEGER,
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
  CREATE INDEX runs_by_start ON runs (started_at);`;

/**
 * `waits`: one row per (run, position) a run has reached `waitFor` or `sleep` at; its answer,
 * once there, is what every later session of the run gets back at that position.
 * `early_signals`: answers sent before the run reached a wait of their name (or at their key),
 * kept until it does; the wait then takes the first one its schema accepts.
 */
const WAIT_TABLES = `
  CREATE TABLE waits (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('signal', 'sleep')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'answered', 'timed-out')),
    -- the answer's shape as JSON Schema: what a signal is checked against
    schema_json TEXT,
    prompt TEXT,
    -- set once, when the run first reaches the wait: a resume never restarts the clock
    deadline INTEGER,
    reached_at INTEGER NOT NULL,
    answer_json TEXT,
    answered_at INTEGER,
    answered_by TEXT CHECK (answered_by IN ('signal', 'deadline')),
    -- why an answer sent early (or stored before the schema changed) was refused
    refused_answer TEXT,
    PRIMARY KEY (run_id, key)
  );
  CREATE INDEX waits_pending ON waits (run_id, state, name);

  CREATE TABLE early_signals (
    sequence INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- the position it is for; NULL: the first wait of its name the run reaches
    key TEXT,
    value_json TEXT NOT NULL,
    sent_at INTEGER NOT NULL
  );
  CREATE INDEX early_signals_by_run ON early_signals (run_id, name);`;

/**
 * Times are epoch milliseconds. `steps` and `spans` carry no foreign key to `runs`: a runtime may
 * journal steps for a run id the runs table never heard of (a library user with only a journal).
 */
const SCHEMA_SQL = `
  ${RUNS_TABLE}

  CREATE TABLE steps (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value_json TEXT NOT NULL,
    -- a hash of what produced the value (model, prompt, schema, settings; an effect's input)
    input_hash TEXT,
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
    -- a resumed run's structural spans keep their ids, and replace the earlier session's copy
    span_id TEXT,
    span_json TEXT NOT NULL
  );
  CREATE INDEX spans_by_run ON spans (run_id);
  CREATE UNIQUE INDEX spans_by_id ON spans (run_id, span_id);

  ${WAIT_TABLES}
`;

/** Version 1 → 2: run identity, leases and the waiting status; journal input hashes; span ids. */
const MIGRATE_V1_TO_V2 = `
  ALTER TABLE runs RENAME TO runs_v1;
  DROP INDEX runs_by_start;
  ${RUNS_TABLE}
  INSERT INTO runs (id, workflow, status, pid, started_at, finished_at, steps_total, input_tokens, output_tokens, cost_usd,
      prior_input_tokens, prior_output_tokens, prior_cost_usd, model, command_json)
    SELECT id, workflow, status, pid, started_at, finished_at, steps_total, input_tokens, output_tokens, cost_usd,
      prior_input_tokens, prior_output_tokens, prior_cost_usd, model, command_json FROM runs_v1;
  DROP TABLE runs_v1;
  ALTER TABLE steps ADD COLUMN input_hash TEXT;
  ALTER TABLE spans ADD COLUMN span_id TEXT;
  CREATE UNIQUE INDEX spans_by_id ON spans (run_id, span_id);
`;

/** Version 2 → 3: durable waits and the answers kept for them. */
const MIGRATE_V2_TO_V3 = WAIT_TABLES;
