import type { DatabaseSync } from 'node:sqlite';
import type { StepJournal } from '../core/step-store.js';

/**
 * The step journal over the store's `steps` table: one row per (run, step key), the step's
 * validated result as JSON with the hash of what produced it. Writing a key again replaces it.
 *
 * Every `write` is its own autocommit transaction, so it is durable when it returns: in WAL mode
 * with `synchronous=NORMAL` the commit is in the WAL file (the OS page cache) before `run`
 * returns, which survives the process being killed (SIGKILL, OOM, a crash). It does not promise
 * survival of a power loss or kernel panic, which would need `synchronous=FULL` and an fsync per step.
 */
export function createRunJournal(database: DatabaseSync, { now }: { now: () => number }): StepJournal {
  const statements = {
    read: database.prepare('SELECT value_json AS valueJson, input_hash AS inputHash FROM steps WHERE run_id = ? AND key = ?'),
    write: database.prepare(`
      INSERT INTO steps (run_id, key, value_json, input_hash, written_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (run_id, key) DO UPDATE SET
        value_json = excluded.value_json, input_hash = excluded.input_hash, written_at = excluded.written_at`),
  };
  return {
    read(runId, key) {
      const row = statements.read.get(runId, key);
      if (!row) return undefined;
      const value: unknown = JSON.parse(String(row.valueJson));
      return row.inputHash === null ? { value } : { value, inputHash: String(row.inputHash) };
    },
    write(runId, key, { value, inputHash }) {
      statements.write.run(runId, key, JSON.stringify(value), inputHash ?? null, now());
    },
  };
}
