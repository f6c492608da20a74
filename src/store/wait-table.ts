import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { checkSignalValue } from '../core/check-signal-value.js';
import { InputError } from '../core/errors.js';
import type { PendingWait, SignalOutcome, SignalRequest, WaitJournal, WaitRequest, WaitState } from '../core/wait-journal.js';
import { inWriteTransaction } from './in-write-transaction.js';

/** The store's waits: answered synchronously, each in one write transaction. */
export interface WaitTable extends WaitJournal {
  reach(runId: string, request: WaitRequest, check: (value: unknown) => string | undefined): WaitState;
  deliver(runId: string, signal: SignalRequest): SignalOutcome;
  pending(runId: string): PendingWait[];
}

const WaitRecord = z.object({
  runId: z.string(),
  key: z.string(),
  name: z.string(),
  kind: z.enum(['signal', 'sleep']),
  state: z.enum(['pending', 'answered', 'timed-out']),
  schemaJson: z.string().nullable(),
  prompt: z.string().nullable(),
  deadline: z.number().nullable(),
  reachedAt: z.number(),
  answerJson: z.string().nullable(),
  answeredBy: z.enum(['signal', 'deadline']).nullable(),
  refusedAnswer: z.string().nullable(),
});
type WaitRecord = z.infer<typeof WaitRecord>;

const EarlySignal = z.object({ sequence: z.number(), valueJson: z.string() });

const WAIT_COLUMNS = `
  run_id AS runId, key, name, kind, state, schema_json AS schemaJson, prompt, deadline, reached_at AS reachedAt,
  answer_json AS answerJson, answered_by AS answeredBy, refused_answer AS refusedAnswer`;

/**
 * The waits of the store's runs (`waits` and `early_signals` tables). Every operation is one write
 * transaction, so a signal and a run reaching its wait, in two processes, never both miss the
 * other: the answer is either bound before the wait is recorded, or found pending.
 */
export function createWaitTable(database: DatabaseSync, { now }: { now: () => number }): WaitTable {
  const statements = {
    read: database.prepare(`SELECT ${WAIT_COLUMNS} FROM waits WHERE run_id = ? AND key = ?`),
    insert: database.prepare(`
      INSERT INTO waits (run_id, key, name, kind, state, schema_json, prompt, deadline, reached_at)
      VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`),
    // the code's current schema and prompt are what a signal is checked against and shown
    refresh: database.prepare('UPDATE waits SET name = ?, schema_json = ?, prompt = ? WHERE run_id = ? AND key = ?'),
    answer: database.prepare(`
      UPDATE waits SET state = 'answered', answer_json = ?, answered_at = ?, answered_by = ?, refused_answer = NULL
      WHERE run_id = ? AND key = ?`),
    reopen: database.prepare(`
      UPDATE waits SET state = 'pending', answer_json = NULL, answered_at = NULL, answered_by = NULL, refused_answer = ?
      WHERE run_id = ? AND key = ?`),
    refuse: database.prepare('UPDATE waits SET refused_answer = ? WHERE run_id = ? AND key = ?'),
    timeOut: database.prepare("UPDATE waits SET state = 'timed-out' WHERE run_id = ? AND key = ?"),
    // answers kept for this very position first, then those for the first wait of the name
    early: database.prepare(`
      SELECT sequence, value_json AS valueJson FROM early_signals
      WHERE run_id = ? AND name = ? AND (key IS NULL OR key = ?) ORDER BY key IS NULL, sequence`),
    dropEarly: database.prepare('DELETE FROM early_signals WHERE sequence = ?'),
    keptFor: database.prepare('SELECT count(*) AS count FROM early_signals WHERE run_id = ? AND name = ? AND key IS ?'),
    keep: database.prepare('INSERT INTO early_signals (run_id, name, key, value_json, sent_at) VALUES (?, ?, ?, ?, ?)'),
    pendingNamed: database.prepare(`SELECT ${WAIT_COLUMNS} FROM waits WHERE run_id = ? AND state = 'pending' AND name = ? ORDER BY rowid`),
    pending: database.prepare(`SELECT ${WAIT_COLUMNS} FROM waits WHERE run_id = ? AND state = 'pending' ORDER BY rowid`),
    reachedNamed: database.prepare('SELECT count(*) AS count FROM waits WHERE run_id = ? AND name = ?'),
    anyWait: database.prepare('SELECT count(*) AS count FROM waits WHERE run_id = ?'),
    runStatus: database.prepare('SELECT status FROM runs WHERE id = ?'),
  };
  const readRecord = (runId: string, key: string): WaitRecord | undefined => {
    const row = statements.read.get(runId, key);
    return row ? WaitRecord.parse(row) : undefined;
  };
  const countOf = (row: Record<string, unknown> | undefined): number => Number(row?.count ?? 0);

  return {
    reach(runId, request, check) {
      return inWriteTransaction(database, (): WaitState => {
        const schemaJson = request.schema === undefined ? null : JSON.stringify(request.schema);
        let record = readRecord(runId, request.key);
        if (!record) {
          const deadline = request.timeoutMs === undefined ? null : now() + request.timeoutMs;
          statements.insert.run(runId, request.key, request.name, request.kind, schemaJson, request.prompt ?? null, deadline, now());
        } else {
          statements.refresh.run(request.name, schemaJson, request.prompt ?? null, runId, request.key);
        }
        record = readRecord(runId, request.key)!;

        if (record.state === 'answered' && record.answerJson !== null) {
          const value: unknown = JSON.parse(record.answerJson);
          if (record.answeredBy === 'deadline') return { state: 'answered', value, by: 'deadline' };
          const problem = check(value);
          if (problem === undefined) return { state: 'answered', value, by: 'signal' };
          // the schema changed since the answer was stored: ask again rather than hand on what it refuses
          statements.reopen.run(`the stored answer no longer fits: ${problem}`, runId, request.key);
          record = readRecord(runId, request.key)!;
        }

        if (request.kind === 'signal') {
          for (const early of statements.early.all(runId, request.name, request.key).map((row) => EarlySignal.parse(row))) {
            statements.dropEarly.run(early.sequence);
            const value: unknown = JSON.parse(early.valueJson);
            const problem = check(value);
            if (problem === undefined) {
              statements.answer.run(early.valueJson, now(), 'signal', runId, request.key);
              return { state: 'answered', value, by: 'signal' };
            }
            statements.refuse.run(`an answer sent before the wait was reached did not fit: ${problem}`, runId, request.key);
            record = readRecord(runId, request.key)!;
          }
        }

        if (record.deadline !== null && record.deadline <= now()) {
          if (request.whenDue) {
            statements.answer.run(JSON.stringify(request.whenDue.value), now(), 'deadline', runId, request.key);
            return { state: 'answered', value: request.whenDue.value, by: 'deadline' };
          }
          statements.timeOut.run(runId, request.key);
          return { state: 'timed-out', wait: toPendingWait(record) };
        }
        return { state: 'pending', wait: toPendingWait(record) };
      });
    },

    deliver(runId, { name, value, key }) {
      return inWriteTransaction(database, (): SignalOutcome => {
        const pending = statements.pendingNamed
          .all(runId, name)
          .map((row) => WaitRecord.parse(row))
          .filter((wait) => key === undefined || wait.key === key);
        if (pending.length > 1) {
          throw new InputError(
            `run ${runId} waits for "${name}" at ${pending.length} places; say which with --key (signal's key option): ${pending.map((wait) => wait.key).join(', ')}`,
          );
        }
        const [wait] = pending;
        if (wait) {
          if (wait.kind === 'sleep') throw new InputError(`${wait.key} of run ${runId} is a sleep; it takes no answer (braid resume goes on once it is due)`);
          const schema: unknown = wait.schemaJson === null ? undefined : JSON.parse(wait.schemaJson);
          const text = checkSignalValue(runId, wait.key, schema, value);
          statements.answer.run(text, now(), 'signal', runId, wait.key);
          return { runId, name, delivered: 'answered', key: wait.key };
        }

        // no such wait is pending: keep the answer for when the run gets there, if it still can
        const status = statements.runStatus.get(runId)?.status;
        if (status === undefined && countOf(statements.anyWait.get(runId)) === 0) throw new InputError(`no run ${runId} in this store; braid runs lists them`);
        if (status === 'done' || status === 'failed' || status === 'cancelled') {
          throw new InputError(`run ${runId} has ended (${String(status)}); it waits for nothing`);
        }
        if (key !== undefined) {
          const reached = readRecord(runId, key);
          if (reached) throw new InputError(`the wait at ${key} of run ${runId} is ${reached.state === 'answered' ? 'answered already' : reached.state}; an answer cannot be changed`);
        } else if (countOf(statements.reachedNamed.get(runId, name)) > 0) {
          // a second answer to a wait that took one must not slip into the next wait of that name
          throw new InputError(`run ${runId} has no pending wait for "${name}" (it was answered already); to answer a later wait of that name before it is reached, give its --key`);
        }
        if (countOf(statements.keptFor.get(runId, name, key ?? null)) > 0) {
          throw new InputError(`an answer for "${name}"${key === undefined ? '' : ` at ${key}`} of run ${runId} is kept already, until the run reaches that wait`);
        }
        const text = checkSignalValue(runId, key ?? name, undefined, value);
        statements.keep.run(runId, name, key ?? null, text, now());
        return { runId, name, delivered: 'kept', ...(key === undefined ? {} : { key }) };
      });
    },

    pending(runId) {
      return statements.pending.all(runId).map((row) => toPendingWait(WaitRecord.parse(row)));
    },
  };
}

function toPendingWait(record: WaitRecord): PendingWait {
  return {
    runId: record.runId,
    key: record.key,
    name: record.name,
    kind: record.kind,
    ...(record.schemaJson === null ? {} : { schema: JSON.parse(record.schemaJson) as unknown }),
    ...(record.prompt === null ? {} : { prompt: record.prompt }),
    ...(record.deadline === null ? {} : { deadline: new Date(record.deadline).toISOString() }),
    since: new Date(record.reachedAt).toISOString(),
    ...(record.refusedAnswer === null ? {} : { refusedAnswer: record.refusedAnswer }),
  };
}
