import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { BraidError } from '../core/errors.js';
import { InputError } from '../core/errors.js';
import { loadSqlite } from './load-sqlite.js';

export interface OpenSqliteOptions {
  /** Names the database in errors, e.g. 'the run store' (a file that is no SQLite database "is not a braid run store"). */
  what: string;
  /** How long a write waits for another process sharing the file. */
  busyTimeoutMs: number;
  /** Extra `PRAGMA` statements, after the shared ones. */
  pragmas?: readonly string[];
  /** Creates or checks the schema; a BraidError it throws passes through as it is. */
  prepare: (database: DatabaseSync) => void;
}

/**
 * Opens (creating its folder) a database with Node's built-in SQLite, in WAL mode so readers go on
 * while another process writes, and prepares its schema. A new file is created readable by its
 * owner alone (0600, its folder 0700): it holds prompts and outputs. SQLite gives the `-wal` and
 * `-shm` files the database file's permissions.
 *
 * @throws {InputError} when the file cannot be opened or prepared, or is not an SQLite database.
 */
export function openSqlite(file: string, { what, busyTimeoutMs, pragmas = [], prepare }: OpenSqliteOptions): DatabaseSync {
  let database: DatabaseSync;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600)); // the mode applies only when the file is new
    }
    database = new (loadSqlite().DatabaseSync)(file);
  } catch (error) {
    throw new InputError(`cannot open ${what} ${file}`, { cause: error });
  }
  try {
    database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    database.exec('PRAGMA journal_mode = WAL'); // an in-memory database keeps 'memory'
    for (const pragma of pragmas) database.exec(`PRAGMA ${pragma}`);
    prepare(database);
  } catch (error) {
    database.close();
    if (error instanceof BraidError) throw error;
    if (isNotADatabase(error)) throw new InputError(`${file} is not a braid ${what.replace(/^the /, '')}`, { cause: error });
    throw new InputError(`cannot prepare ${what} ${file}`, { cause: error });
  }
  return database;
}

/** SQLITE_NOTADB (26): the file is not SQLite at all; SQLITE_CORRUPT (11): its pages are damaged. */
function isNotADatabase(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | undefined)?.errcode;
  return code === 26 || code === 11;
}
