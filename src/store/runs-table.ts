import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { InputError, RunBusyError, RunIdentityError } from '../core/errors.js';
import type { RunSummary } from '../core/run-summary.js';
import type { Span } from '../core/span.js';
import type { PendingWait } from '../core/wait-journal.js';
import { describeIdentityDifferences, identityParts, type RunIdentity } from './run-identity.js';
import { inWriteTransaction } from './in-write-transaction.js';

/**
 * `interrupted`: the row still says running, but no live process holds it (killed, crashed).
 * `waiting`: the run stopped to wait for a signal or a timer, and no process holds it.
 */
export type RunStatus = 'running' | 'waiting' | 'interrupted' | 'done' | 'failed' | 'cancelled';

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
  /**
   * The waits it is stopped at, in the order it reached them: what it waits for, the answer's
   * JSON Schema, the prompt, the deadline. Empty unless it waits (or a branch of a running run does).
   */
  waits: PendingWait[];
}

export interface ClaimRunOptions {
  runId: string;
  /** The workflow and the inputs that shape its output: a run id reused with others is refused. */
  identity: RunIdentity;
  /** The argv that re-runs it, e.g. `['faq', 'docs/']`. */
  command: string[];
  model: string;
  stepsTotal?: number;
  /** The run must exist already (a resume): a missing one is an `InputError`. @default false */
  mustExist?: boolean;
  /** How long the claim holds without being renewed. @default 30_000 */
  leaseMs?: number;
}

/** This process's hold on a run: renewed in the background until it is released. */
export interface RunLease {
  readonly runId: string;
  /** Stops renewing. `finishRun` releases the lease in the store. */
  stopRenewing(): void;
}

export interface FinishRunOptions {
  /** `waiting`: the run stopped at waits (`waitFor`, `sleep`); a signal or `braid resume` goes on. */
  status: 'done' | 'failed' | 'cancelled' | 'waiting';
  /** The summary of this session; a resumed run adds it to what earlier sessions spent. */
  summary: RunSummary;
}

export interface RunsTable {
  /**
   * Records a new run as running in this process, or takes an existing one up again (a resume),
   * keeping its start time. Refuses (`RunIdentityError`) an existing run of another workflow or
   * with other inputs, and (`RunBusyError`) one that another live process holds.
   */
  claimRun(options: ClaimRunOptions): RunLease;
  /** Appends finished spans to their runs' traces (or replaces an earlier session's copy), in one transaction; an attempt's tokens and cost count towards its run at once. */
  recordSpans(spans: readonly Span[]): void;
  /** `recordSpans` of one span. */
  recordSpan(span: Span): void;
  finishRun(runId: string, options: FinishRunOptions): void;
  setStepsTotal(runId: string, stepsTotal: number): void;
  /** Newest first. @default limit 50 */
  listRuns(options?: { limit?: number }): RunRow[];
  getRun(runId: string): RunRow | undefined;
  /** The run's spans in the order they were first recorded, across every session. */
  runSpans(runId: string): Span[];
  /**
   * The spans first recorded after position `after` (0: all), and the position to ask from next:
   * what a live view reads as the run goes on. A span recorded again (a resumed session's copy of
   * a group or a retried step) keeps its first position, so it is not among them.
   */
  runSpansSince(runId: string, after: number): { spans: Span[]; next: number };
  /** The process running the run now (it holds a live lease), or undefined: what a cancel would signal. */
  heldBy(runId: string): { pid: number; host: string } | undefined;
}

const DEFAULT_LEASE_MS = 30_000;

const RUN_COLUMNS = `
  id, workflow, status, identity_json AS identityJson, pid, host, lease_owner AS leaseOwner, lease_expires_at AS leaseExpiresAt,
  started_at AS startedAt, finished_at AS finishedAt,
  (SELECT count(*) FROM steps WHERE steps.run_id = runs.id) AS stepsDone, steps_total AS stepsTotal,
  input_tokens AS inputTokens, output_tokens AS outputTokens, cost_usd AS costUsd, model, command_json AS commandJson`;

const RunRecord = z.object({
  id: z.string(),
  workflow: z.string(),
  status: z.enum(['running', 'waiting', 'done', 'failed', 'cancelled']),
  identityJson: z.string().nullable(),
  pid: z.number().nullable(),
  host: z.string().nullable(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.number().nullable(),
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
type RunRecord = z.infer<typeof RunRecord>;
const Command = z.array(z.string());
const IdentityParts = z.record(z.string(), z.string());

/** The runs and spans tables of the store; `pendingWaits` reads a run's waits for its row. */
export function createRunsTable(
  database: DatabaseSync,
  { now, pendingWaits }: { now: () => number; pendingWaits: (runId: string) => PendingWait[] },
): RunsTable {
  const thisHost = hostname();
  const statements = {
    insertRun: database.prepare(`
      INSERT INTO runs (id, workflow, status, identity_json, pid, host, lease_owner, lease_expires_at, started_at, steps_total, model, command_json)
      VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    resumeRun: database.prepare(`
      UPDATE runs SET status = 'running', identity_json = ?, pid = ?, host = ?, lease_owner = ?, lease_expires_at = ?, finished_at = NULL,
        steps_total = coalesce(?, steps_total), model = ?,
        -- the command that started the run re-runs it; a resume (\`braid resume\`, \`braid signal\`) keeps it
        command_json = CASE WHEN command_json = '[]' THEN ? ELSE command_json END,
        prior_input_tokens = input_tokens, prior_output_tokens = output_tokens, prior_cost_usd = cost_usd
      WHERE id = ?`),
    renewLease: database.prepare('UPDATE runs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?'),
    upsertSpan: database.prepare(`
      INSERT INTO spans (run_id, span_id, span_json) VALUES (?, ?, ?)
      ON CONFLICT (run_id, span_id) DO UPDATE SET span_json = excluded.span_json`),
    addSpending: database.prepare(`
      UPDATE runs SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cost_usd = cost_usd + ?
      WHERE id = ?`),
    finishRun: database.prepare(`
      UPDATE runs SET status = ?, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL,
        input_tokens = prior_input_tokens + ?, output_tokens = prior_output_tokens + ?, cost_usd = prior_cost_usd + ?
      WHERE id = ?`),
    setStepsTotal: database.prepare('UPDATE runs SET steps_total = ? WHERE id = ?'),
    listRuns: database.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?`),
    getRun: database.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    runSpans: database.prepare('SELECT span_json AS spanJson FROM spans WHERE run_id = ? ORDER BY sequence'),
    runSpansSince: database.prepare('SELECT sequence, span_json AS spanJson FROM spans WHERE run_id = ? AND sequence > ? ORDER BY sequence'),
  };

  /** Held by a process that is still renewing it: not lapsed, and not owned by a dead process on this host. */
  const isHeld = (record: RunRecord): boolean =>
    record.status === 'running' &&
    (record.leaseExpiresAt === null
      ? record.pid !== null && isProcessAlive(record.pid) // a run written before leases existed
      : record.leaseExpiresAt > now() && !(record.host === thisHost && record.pid !== null && !isProcessAlive(record.pid)));

  const readRecord = (runId: string): RunRecord | undefined => {
    const row = statements.getRun.get(runId);
    return row ? RunRecord.parse(row) : undefined;
  };

  const recordSpans = (spans: readonly Span[]): void => {
    // a step replayed from the journal is already in the trace, from the session that paid for it
    const recorded = spans.filter((span) => span.replayed !== 'journal');
    if (recorded.length === 0) return;
    // spent tokens count while the run goes on, so a run that is killed still shows what it cost
    inWriteTransaction(database, () => {
      for (const span of recorded) {
        statements.upsertSpan.run(span.runId, span.id, JSON.stringify(span));
        if (span.kind === 'attempt') {
          statements.addSpending.run(span.inputTokens ?? 0, span.outputTokens ?? 0, span.costUsd ?? 0, span.runId);
        }
      }
    });
  };

  return {
    claimRun({ runId, identity, command, model, stepsTotal, mustExist = false, leaseMs = DEFAULT_LEASE_MS }) {
      const parts = identityParts(identity.input);
      const owner = randomUUID();
      inWriteTransaction(database, () => {
        const existing = readRecord(runId);
        if (!existing) {
          if (mustExist) throw new InputError(`no run ${runId} to resume in this store; braid runs lists them`);
          statements.insertRun.run(runId, identity.workflow, JSON.stringify(parts), process.pid, thisHost, owner, now() + leaseMs, now(), stepsTotal ?? null, model, JSON.stringify(command));
          return;
        }
        const earlier = existing.identityJson === null ? undefined : IdentityParts.parse(JSON.parse(existing.identityJson));
        const differences = describeIdentityDifferences({ workflow: existing.workflow, parts: earlier }, { workflow: identity.workflow, parts });
        if (differences.length > 0) throw new RunIdentityError(runId, differences);
        if (isHeld(existing)) throw new RunBusyError(runId, `process ${existing.pid ?? '?'} on ${existing.host ?? 'another host'}`);
        statements.resumeRun.run(JSON.stringify(parts), process.pid, thisHost, owner, now() + leaseMs, stepsTotal ?? null, model, JSON.stringify(command), runId);
      });
      // renewed well before it lapses; unref'd, so a lease never keeps a finished process alive
      const timer = setInterval(() => {
        try {
          statements.renewLease.run(now() + leaseMs, runId, owner);
        } catch {
          // a busy or full disk: the next renewal tries again, and a lapsed lease only lets a resume in
        }
      }, Math.max(1_000, Math.floor(leaseMs / 3)));
      timer.unref();
      return { runId, stopRenewing: () => clearInterval(timer) };
    },

    recordSpans,

    recordSpan(span) {
      recordSpans([span]);
    },


    finishRun(runId, { status, summary }) {
      statements.finishRun.run(status, now(), summary.inputTokens, summary.outputTokens, summary.costUsd, runId);
    },

    setStepsTotal(runId, stepsTotal) {
      statements.setStepsTotal.run(stepsTotal, runId);
    },

    listRuns({ limit = 50 } = {}) {
      return statements.listRuns.all(limit).map((row) => toRunRow(RunRecord.parse(row), isHeld, pendingWaits));
    },

    getRun(runId) {
      const record = readRecord(runId);
      return record ? toRunRow(record, isHeld, pendingWaits) : undefined;
    },

    runSpans(runId) {
      // written by recordSpan from a Span, so the JSON is trusted as one
      return statements.runSpans.all(runId).map((row) => JSON.parse(String(row.spanJson)) as Span);
    },

    runSpansSince(runId, after) {
      let next = after;
      const spans = statements.runSpansSince.all(runId, after).map((row) => {
        next = Math.max(next, Number(row.sequence));
        return JSON.parse(String(row.spanJson)) as Span;
      });
      return { spans, next };
    },

    heldBy(runId) {
      const record = readRecord(runId);
      if (!record || !isHeld(record) || record.pid === null || record.host === null) return undefined;
      return { pid: record.pid, host: record.host };
    },
  };
}

function toRunRow(record: RunRecord, isHeld: (record: RunRecord) => boolean, pendingWaits: (runId: string) => PendingWait[]): RunRow {
  const isInterrupted = record.status === 'running' && !isHeld(record);
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
    // an ended run may hold the pending wait it failed beside (a sibling's error): it waits for nothing
    waits: record.status === 'running' || record.status === 'waiting' ? pendingWaits(record.id) : [],
  };
}

/**
 * Signal 0 checks the process exists without touching it. EPERM means it exists under another
 * user, so only ESRCH counts as gone. The pid is only meaningful on its own host; a reused pid
 * makes a dead run look alive (until its lease lapses), never the reverse.
 */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
