import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` in one transaction that takes the write lock up front (BEGIN IMMEDIATE): another
 * process sharing the file waits on `busy_timeout` here instead of failing halfway through.
 */
export function inWriteTransaction<Result>(database: DatabaseSync, work: () => Result): Result {
  database.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    try {
      database.exec('ROLLBACK');
    } catch {
      // SQLite already rolled back (some errors end the transaction themselves); the first error is the one to report
    }
    throw error;
  }
}
