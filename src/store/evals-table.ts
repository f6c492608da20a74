import type { DatabaseSync } from 'node:sqlite';
import { InputError } from '../core/errors.js';
import { EVAL_REPORT_VERSION, type EvalReport } from '../core/eval-report.js';
import { inWriteTransaction } from './in-write-transaction.js';

/** One stored eval as `listEvals` gives it: the report's key facts, without its cases. */
export interface EvalRow {
  id: string;
  kind: string;
  dataset: string;
  /** ISO 8601. */
  createdAt: string;
  gate: EvalReport['gate']['status'];
  baselineId?: string;
}

export interface EvalsTable {
  /** Stores an eval's report under its run id, replacing an earlier one (a resumed eval). */
  saveEval(report: EvalReport): void;
  getEval(id: string): EvalReport | undefined;
  /**
   * The newest eval of `kind` on `dataset` that did not fail its gate, other than `excludeId`: what
   * `--baseline last` compares with. A failed eval is skipped, so one bad change does not become
   * the bar the next change is measured against.
   */
  findLastEval(options: { kind: string; dataset: string; excludeId?: string }): EvalReport | undefined;
  /** Newest first. @default limit 50 */
  listEvals(options?: { limit?: number }): EvalRow[];
}

/**
 * The `evals` table: one row per eval run, its report as JSON. Created on first use with IF NOT
 * EXISTS, apart from the versioned run-store schema, so it needs no migration of its own and an
 * older braid simply ignores it.
 */
const EVALS_TABLE = `
  CREATE TABLE IF NOT EXISTS evals (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    dataset TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    gate TEXT NOT NULL CHECK (gate IN ('passed', 'failed', 'none')),
    baseline_id TEXT,
    report_json TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS evals_by_kind ON evals (kind, dataset, created_at);`;

/** Creates the evals table when the store has none yet. */
export function prepareEvalsTable(database: DatabaseSync): void {
  inWriteTransaction(database, () => database.exec(EVALS_TABLE));
}

export function createEvalsTable(database: DatabaseSync, { now }: { now: () => number }): EvalsTable {
  const statements = {
    save: database.prepare(`
      INSERT INTO evals (id, kind, dataset, created_at, gate, baseline_id, report_json) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, dataset = excluded.dataset, created_at = excluded.created_at,
        gate = excluded.gate, baseline_id = excluded.baseline_id, report_json = excluded.report_json`),
    get: database.prepare('SELECT report_json AS reportJson FROM evals WHERE id = ?'),
    last: database.prepare(`
      SELECT report_json AS reportJson FROM evals WHERE kind = ? AND dataset = ? AND gate != 'failed' AND id != ?
      ORDER BY created_at DESC, rowid DESC LIMIT 1`),
    list: database.prepare(`
      SELECT id, kind, dataset, created_at AS createdAt, gate, baseline_id AS baselineId FROM evals
      ORDER BY created_at DESC, rowid DESC LIMIT ?`),
  };
  return {
    saveEval(report) {
      statements.save.run(report.eval.id, report.eval.kind, report.eval.dataset, now(), report.gate.status, report.baseline?.id ?? null, JSON.stringify(report));
    },
    getEval(id) {
      const row = statements.get.get(id);
      return row ? parseReport(String(row.reportJson), id) : undefined;
    },
    findLastEval({ kind, dataset, excludeId = '' }) {
      const row = statements.last.get(kind, dataset, excludeId);
      return row ? parseReport(String(row.reportJson), 'the last eval') : undefined;
    },
    listEvals({ limit = 50 } = {}) {
      return statements.list.all(limit).map((row) => ({
        id: String(row.id),
        kind: String(row.kind),
        dataset: String(row.dataset),
        createdAt: new Date(Number(row.createdAt)).toISOString(),
        gate: String(row.gate) as EvalRow['gate'],
        ...(row.baselineId === null ? {} : { baselineId: String(row.baselineId) }),
      }));
    },
  };
}

/** Written by `saveEval` from an `EvalReport`, so trusted as one once its version matches. */
function parseReport(json: string, what: string): EvalReport {
  const report = JSON.parse(json) as EvalReport;
  if (report.version !== EVAL_REPORT_VERSION) {
    throw new InputError(`${what} was stored by a braid with eval report version ${String(report.version)}; this braid reads version ${EVAL_REPORT_VERSION}`);
  }
  return report;
}
