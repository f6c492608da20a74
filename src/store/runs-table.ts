import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import type { RunSummary } from '../core/run-summary.js';
import type { Span } from '../core/span.js';
import { inWriteTransaction } from './in-write-transaction.js';

/** `interrupted`: the row still says running, but the process that ran it is gone (killed, crashed). */
export type RunStatus = 'running' | 'interrupted' | 'done' | 'failed' | 'cancelled';

/** One run as `braid runs` lists it. */
export interface RunRow {
  id: string;
  workflow: string;
  status: RunStatus;
  /** ISO 8601; a resumed run keeps the time it first started. */
  startedAt: string;
  finishedAt?: string;
  /** Steps in the journal: done, and not paid for again on resume. */
  stepsDone: number;
  stepsTotal?: number;
  /** Across every session of the run, including ones that were interrupted. */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  model: string;
  /** The argv that re-runs (resumes) it. */
  command: string[];
}

export interface StartRunOptions {
  runId: string;
  workflow: string;
  /** The argv that re-runs it, e.g. `['braid', 'faq', 'docs/', '--run-id', 'r1']`. */
  command: string[];
  model: string;
  stepsTotal?: number;
}

export interface FinishRunOptions {
  status: 'done' | 'failed' | 'cancelled';
  /** The summary of this session; a resumed run adds it to what earlier sessions spent. */
  summary: RunSummary;
}

export interface RunsTable {
  /** Records a new run as running in this process, or marks an existing one running again (a resume), keeping its start time. */
  startRun(options: StartRunOptions): void;
  /** Appends a finished span to the run's trace; an attempt's tokens and cost count towards the run at once. */
  recordSpan(span: Span): void;
  finishRun(runId: string, options: FinishRunOptions): void;
  setStepsTotal(runId: string, stepsTotal: number): void;
  /** Newest first. @default limit 50 */
  listRuns(options?: { limit?: number }): RunRow[];
  getRun(runId: string): RunRow | undefined;
  /** The run's spans in the order they were recorded, across every session. */
  runSpans(runId: string): Span[];
}

const RUN_COLUMNS = `
  id, workflow, status, pid, started_at AS startedAt, finished_at AS finishedAt,
  (SELECT count(*) FROM steps WHERE steps.run_id = runs.id) AS stepsDone, steps_total AS stepsTotal,
  input_tokens AS inputTokens, output_tokens AS outputTokens, cost_usd AS costUsd, model, command_json AS commandJson`;

const RunRecord = z.object({
  id: z.string(),
  workflow: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  pid: z.number().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  stepsDone: z.number(),
  stepsTotal: z.number().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  model: z.string(),
  commandJson: z.string(),
});
const Command = z.array(z.string());

/** The runs and spans tables of the store. */
export function createRunsTable(database: DatabaseSync, { now }: { now: () => number }): RunsTable {
  const statements = {
    startRun: database.prepare(`
      INSERT INTO runs (id, workflow, status, pid, started_at, steps_total, model, command_json)
      VALUES (?, ?, 'running', ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        status = 'running', pid = excluded.pid, finished_at = NULL,
        steps_total = coalesce(excluded.steps_total, runs.steps_total),
        prior_input_tokens = runs.input_tokens, prior_output_tokens = runs.output_tokens, prior_cost_usd = runs.cost_usd`),
    insertSpan: database.prepare('INSERT INTO spans (run_id, span_json) VALUES (?, ?)'),
    addSpending: database.prepare(`
      UPDATE runs SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cost_usd = cost_usd + ?
      WHERE id = ?`),
    finishRun: database.prepare(`
      UPDATE runs SET status = ?, finished_at = ?, input_tokens = prior_input_tokens + ?,
        output_tokens = prior_output_tokens + ?, cost_usd = prior_cost_usd + ?
      WHERE id = ?`),
    setStepsTotal: database.prepare('UPDATE runs SET steps_total = ? WHERE id = ?'),
    listRuns: database.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?`),
    getRun: database.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    runSpans: database.prepare('SELECT span_json AS spanJson FROM spans WHERE run_id = ? ORDER BY sequence'),
  };

  return {
    startRun({ runId, workflow, command, model, stepsTotal }) {
      statements.startRun.run(runId, workflow, process.pid, now(), stepsTotal ?? null, model, JSON.stringify(command));
    },

    recordSpan(span) {
      // spent tokens count while the run goes on, so a run that is killed still shows what it cost
      inWriteTransaction(database, () => {
        statements.insertSpan.run(span.runId, JSON.stringify(span));
        if (span.kind === 'attempt') {
          statements.addSpending.run(span.inputTokens ?? 0, span.outputTokens ?? 0, span.costUsd ?? 0, span.runId);
        }
      });
    },

    finishRun(runId, { status, summary }) {
      statements.finishRun.run(status, now(), summary.inputTokens, summary.outputTokens, summary.costUsd, runId);
    },

    setStepsTotal(runId, stepsTotal) {
      statements.setStepsTotal.run(stepsTotal, runId);
    },

    listRuns({ limit = 50 } = {}) {
      return statements.listRuns.all(limit).map(toRunRow);
    },

    getRun(runId) {
      const row = statements.getRun.get(runId);
      return row ? toRunRow(row) : undefined;
    },

    runSpans(runId) {
      // written by recordSpan from a Span, so the JSON is trusted as one
      return statements.runSpans.all(runId).map((row) => JSON.parse(String(row.spanJson)) as Span);
    },
  };
}

function toRunRow(row: unknown): RunRow {
  const record = RunRecord.parse(row);
  const isInterrupted = record.status === 'running' && record.pid !== null && !isProcessAlive(record.pid);
  return {
    id: record.id,
    workflow: record.workflow,
    status: isInterrupted ? 'interrupted' : record.status,
    startedAt: new Date(record.startedAt).toISOString(),
    finishedAt: record.finishedAt === null ? undefined : new Date(record.finishedAt).toISOString(),
    stepsDone: record.stepsDone,
    stepsTotal: record.stepsTotal ?? undefined,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    costUsd: record.costUsd,
    model: record.model,
    command: Command.parse(JSON.parse(record.commandJson)),
  };
}

/**
 * Signal 0 checks the process exists without touching it. EPERM means it exists under another
 * user, so only ESRCH counts as gone. The pid is only meaningful on this machine; a reused pid
 * makes a dead run look alive, never the reverse.
 */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
