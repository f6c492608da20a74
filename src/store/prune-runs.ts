import type { DatabaseSync } from 'node:sqlite';
import { inWriteTransaction } from './in-write-transaction.js';

export interface PruneRunsOptions {
  /** Runs that finished longer ago than this (in milliseconds) are deleted. */
  olderThanMs: number;
  /** The clock (epoch milliseconds). @default Date.now */
  now?: () => number;
}

/** What a prune deleted. */
export interface PrunedRuns {
  runs: number;
  steps: number;
  spans: number;
  /** Answered and timed-out waits, and answers sent early that no wait took. */
  waits: number;
}

/**
 * Deletes the runs that finished (done, failed or cancelled) more than `olderThanMs` ago, with
 * their journaled steps, spans and waits, in one transaction. A run still running, waiting, or
 * interrupted (it may be resumed) is kept whatever its age; so are journal entries of runs the runs table
 * does not know (a library user's journal). The file does not shrink: SQLite reuses the pages.
 *
 * @example
 * pruneRuns(database, { olderThanMs: 30 * 86_400_000 }); // { runs: 12, steps: 340, spans: 1210, waits: 2 }
 */
export function pruneRuns(database: DatabaseSync, { olderThanMs, now = Date.now }: PruneRunsOptions): PrunedRuns {
  const cutoff = now() - olderThanMs;
  const old = `SELECT id FROM runs WHERE status IN ('done', 'failed', 'cancelled') AND finished_at < ?`;
  return inWriteTransaction(database, () => {
    const steps = Number(database.prepare(`DELETE FROM steps WHERE run_id IN (${old})`).run(cutoff).changes);
    const spans = Number(database.prepare(`DELETE FROM spans WHERE run_id IN (${old})`).run(cutoff).changes);
    const waits =
      Number(database.prepare(`DELETE FROM waits WHERE run_id IN (${old})`).run(cutoff).changes) +
      Number(database.prepare(`DELETE FROM early_signals WHERE run_id IN (${old})`).run(cutoff).changes);
    const runs = Number(database.prepare(`DELETE FROM runs WHERE id IN (${old})`).run(cutoff).changes);
    return { runs, steps, spans, waits };
  });
}
