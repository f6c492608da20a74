import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { checkSignalValue } from '../core/check-signal-value.js';
import { InputError } from '../core/errors.js';
import type { PendingWait, SignalOutcome, SignalRequest, WaitJournal, WaitRequest, WaitState } from '../core/wait-journal.js';
import { defineRedisScript } from './redis-script.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RedisWaitJournalOptions {
  /** An ioredis client; the caller owns it and closes it. */
  connection: Redis;
  /** A run's waits are the hash `<prefix>:<run id>`, its early answers `<prefix>:<run id>:early`. @default 'braid:waits' */
  keyPrefix?: string;
  /** A run's waits are dropped this long after their last write. @default 7 days */
  ttlMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * One wait as Redis keeps it. The answer and the schema stay JSON text, so the Lua scripts that
 * change a record's state never re-encode them (Lua's JSON cannot tell `[]` from `{}`).
 */
const WaitRecord = z.object({
  name: z.string(),
  kind: z.enum(['signal', 'sleep']),
  state: z.enum(['pending', 'answered', 'timed-out']),
  schemaJson: z.string().optional(),
  prompt: z.string().optional(),
  deadline: z.number().optional(),
  reachedAt: z.number(),
  answerJson: z.string().optional(),
  answeredBy: z.enum(['signal', 'deadline']).optional(),
  refusedAnswer: z.string().optional(),
});
type WaitRecord = z.infer<typeof WaitRecord>;

const EarlySignal = z.object({ name: z.string(), key: z.string().optional(), valueJson: z.string(), sentAt: z.number() });

// KEYS[1] waits hash; ARGV: field, record JSON, ttl. Records the wait unless it is there already.
const createScript = defineRedisScript(`
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('HGET', KEYS[1], ARGV[1])
`);

// KEYS: waits hash, early hash; ARGV: field, mode, payload, early id ('' for none), ttl.
// Changes one wait's state, only from the states the mode allows; returns the record as it is after.
//   answer:   pending → answered by signal with payload (an early answer, removed; skipped if another took it)
//   deadline: pending or timed-out → answered by deadline with payload
//   timeout:  pending → timed-out
//   refuse:   records payload as the refusal (dropping the early answer); an answered wait is pending again
const settleScript = defineRedisScript(`
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return false end
local record = cjson.decode(text)
local mode = ARGV[2]
local early = ARGV[4]
if mode == 'answer' then
  if record.state ~= 'pending' then return text end
  if early ~= '' and redis.call('HDEL', KEYS[2], early) == 0 then return text end
  record.state = 'answered'
  record.answerJson = ARGV[3]
  record.answeredBy = 'signal'
  record.refusedAnswer = nil
elseif mode == 'deadline' then
  if record.state ~= 'pending' and record.state ~= 'timed-out' then return text end
  record.state = 'answered'
  record.answerJson = ARGV[3]
  record.answeredBy = 'deadline'
elseif mode == 'timeout' then
  if record.state ~= 'pending' then return text end
  record.state = 'timed-out'
else
  if early ~= '' then redis.call('HDEL', KEYS[2], early) end
  record.refusedAnswer = ARGV[3]
  if record.state == 'answered' then
    record.state = 'pending'
    record.answerJson = nil
    record.answeredBy = nil
  end
end
local updated = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], updated)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return updated
`);

// KEYS: waits hash, early hash; ARGV: name, key ('' for none), id, entry JSON, ttl.
// Keeps an early answer, unless the run has meanwhile reached a wait it is for ('reached': deliver
// again) or one is kept already for the same wait ('duplicate').
const keepScript = defineRedisScript(`
local waits = redis.call('HGETALL', KEYS[1])
for index = 1, #waits, 2 do
  if ARGV[2] == '' then
    if cjson.decode(waits[index + 1]).name == ARGV[1] then return 'reached' end
  elseif waits[index] == ARGV[2] then
    return 'reached'
  end
end
local kept = redis.call('HGETALL', KEYS[2])
for index = 1, #kept, 2 do
  local entry = cjson.decode(kept[index + 1])
  local entryKey = entry.key or ''
  if entry.name == ARGV[1] and entryKey == ARGV[2] then return 'duplicate' end
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 'kept'
`);

// KEYS[1] waits hash; ARGV: field, answer JSON, ttl. Answers a wait only if it is still pending.
const answerScript = defineRedisScript(`
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return 0 end
local record = cjson.decode(text)
if record.state ~= 'pending' or record.kind ~= 'signal' then return 0 end
record.state = 'answered'
record.answerJson = ARGV[2]
record.answeredBy = 'signal'
record.refusedAnswer = nil
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

/** How often `deliver` starts again when the run changed its waits under it. */
const DELIVER_ROUNDS = 5;

/**
 * The waits of distributed runs, in Redis, beside their step journal: an item that waits frees
 * its worker, and any worker that picks it up again finds its waits and their answers here.
 *
 * Each change is one Lua script, so a signal and a worker reaching the wait never both miss the
 * other: a wait is recorded before its early answers are read, and an early answer is kept only
 * if the wait it is for has not been recorded meanwhile.
 *
 * @example
 * const waits = createRedisWaitJournal({ connection: redis });
 * const braid = createRuntime({ model, runId, journal, waits });
 */
export function createRedisWaitJournal({ connection, keyPrefix = 'braid:waits', ttlMs = 7 * DAY_MS, now = Date.now }: RedisWaitJournalOptions): WaitJournal {
  const waitsKey = (runId: string): string => `${keyPrefix}:${runId}`;
  const earlyKey = (runId: string): string => `${keyPrefix}:${runId}:early`;
  const parseRecord = (text: unknown): WaitRecord => WaitRecord.parse(JSON.parse(String(text)));
  const settle = async (runId: string, key: string, mode: 'answer' | 'deadline' | 'timeout' | 'refuse', payload: string, earlyId = ''): Promise<WaitRecord> =>
    parseRecord(await settleScript.run(connection, [waitsKey(runId), earlyKey(runId)], [key, mode, payload, earlyId, ttlMs]));
  const readAll = async (runId: string): Promise<[string, WaitRecord][]> =>
    Object.entries(await connection.hgetall(waitsKey(runId))).map(([key, text]): [string, WaitRecord] => [key, parseRecord(text)]);

  return {
    async reach(runId, request: WaitRequest, check): Promise<WaitState> {
      const fresh: WaitRecord = {
        name: request.name,
        kind: request.kind,
        state: 'pending',
        reachedAt: now(),
        ...(request.schema === undefined ? {} : { schemaJson: JSON.stringify(request.schema) }),
        ...(request.prompt === undefined ? {} : { prompt: request.prompt }),
        ...(request.timeoutMs === undefined ? {} : { deadline: now() + request.timeoutMs }),
      };
      let record = parseRecord(await createScript.run(connection, [waitsKey(runId)], [request.key, JSON.stringify(fresh), ttlMs]));

      if (record.state === 'answered' && record.answerJson !== undefined) {
        const value: unknown = JSON.parse(record.answerJson);
        if (record.answeredBy === 'deadline') return { state: 'answered', value, by: 'deadline' };
        const problem = check(value);
        if (problem === undefined) return { state: 'answered', value, by: 'signal' };
        record = await settle(runId, request.key, 'refuse', `the stored answer no longer fits: ${problem}`);
      }

      if (request.kind === 'signal' && record.state === 'pending') {
        const kept = Object.entries(await connection.hgetall(earlyKey(runId)))
          .map(([id, text]) => ({ id, ...EarlySignal.parse(JSON.parse(text)) }))
          .filter((early) => early.name === request.name && (early.key === undefined || early.key === request.key))
          // answers for this very position first, then the oldest for the name
          .sort((left, right) => Number(left.key === undefined) - Number(right.key === undefined) || left.sentAt - right.sentAt);
        for (const early of kept) {
          const value: unknown = JSON.parse(early.valueJson);
          const problem = check(value);
          record =
            problem === undefined
              ? await settle(runId, request.key, 'answer', early.valueJson, early.id)
              : await settle(runId, request.key, 'refuse', `an answer sent before the wait was reached did not fit: ${problem}`, early.id);
          if (record.state === 'answered' && record.answerJson !== undefined) return { state: 'answered', value: JSON.parse(record.answerJson) as unknown, by: 'signal' };
        }
      }

      if (record.state !== 'answered' && record.deadline !== undefined && record.deadline <= now()) {
        if (request.whenDue) {
          record = await settle(runId, request.key, 'deadline', JSON.stringify(request.whenDue.value));
        } else {
          record = await settle(runId, request.key, 'timeout', '');
          if (record.state === 'timed-out') return { state: 'timed-out', wait: toPendingWait(runId, request.key, record) };
        }
      }
      // a signal may have answered it between two of these steps: what Redis holds now is the answer
      if (record.state === 'answered' && record.answerJson !== undefined) {
        const value: unknown = JSON.parse(record.answerJson);
        if (record.answeredBy === 'deadline' || check(value) === undefined) return { state: 'answered', value, by: record.answeredBy ?? 'signal' };
      }
      return { state: 'pending', wait: toPendingWait(runId, request.key, record) };
    },

    async deliver(runId, { name, value, key }: SignalRequest): Promise<SignalOutcome> {
      for (let round = 0; round < DELIVER_ROUNDS; round += 1) {
        const waits = await readAll(runId);
        const pending = waits.filter(([waitKey, wait]) => wait.state === 'pending' && wait.name === name && (key === undefined || waitKey === key));
        if (pending.length > 1) {
          throw new InputError(`run ${runId} waits for "${name}" at ${pending.length} places; say which with --key (signal's key option): ${pending.map(([waitKey]) => waitKey).join(', ')}`);
        }
        const [found] = pending;
        if (found) {
          const [waitKey, wait] = found;
          if (wait.kind === 'sleep') throw new InputError(`${waitKey} of run ${runId} is a sleep; it takes no answer`);
          const text = checkSignalValue(runId, waitKey, wait.schemaJson === undefined ? undefined : JSON.parse(wait.schemaJson), value);
          if (Number(await answerScript.run(connection, [waitsKey(runId)], [waitKey, text, ttlMs])) === 1) return { runId, name, delivered: 'answered', key: waitKey };
          continue; // answered or timed out meanwhile: look again
        }
        if (key !== undefined) {
          const reached = waits.find(([waitKey]) => waitKey === key);
          if (reached) throw new InputError(`the wait at ${key} of run ${runId} is ${reached[1].state === 'answered' ? 'answered already' : reached[1].state}; an answer cannot be changed`);
        } else if (waits.some(([, wait]) => wait.name === name)) {
          throw new InputError(`run ${runId} has no pending wait for "${name}" (it was answered already); to answer a later wait of that name before it is reached, give its --key`);
        }
        const text = checkSignalValue(runId, key ?? name, undefined, value);
        const entry = JSON.stringify({ name, ...(key === undefined ? {} : { key }), valueJson: text, sentAt: now() });
        const kept = String(await keepScript.run(connection, [waitsKey(runId), earlyKey(runId)], [name, key ?? '', randomUUID(), entry, ttlMs]));
        if (kept === 'kept') return { runId, name, delivered: 'kept', ...(key === undefined ? {} : { key }) };
        if (kept === 'duplicate') throw new InputError(`an answer for "${name}"${key === undefined ? '' : ` at ${key}`} of run ${runId} is kept already, until the run reaches that wait`);
        // 'reached': the run got to the wait meanwhile; deliver to it
      }
      throw new InputError(`the waits of run ${runId} kept changing while the signal was delivered; send it again`);
    },

    async pending(runId) {
      return (await readAll(runId))
        .filter(([, wait]) => wait.state === 'pending')
        .sort(([leftKey, left], [rightKey, right]) => left.reachedAt - right.reachedAt || (leftKey < rightKey ? -1 : 1))
        .map(([waitKey, wait]) => toPendingWait(runId, waitKey, wait));
    },
  };
}

function toPendingWait(runId: string, key: string, record: WaitRecord): PendingWait {
  return {
    runId,
    key,
    name: record.name,
    kind: record.kind,
    ...(record.schemaJson === undefined ? {} : { schema: JSON.parse(record.schemaJson) as unknown }),
    ...(record.prompt === undefined ? {} : { prompt: record.prompt }),
    ...(record.deadline === undefined ? {} : { deadline: new Date(record.deadline).toISOString() }),
    since: new Date(record.reachedAt).toISOString(),
    ...(record.refusedAnswer === undefined ? {} : { refusedAnswer: record.refusedAnswer }),
  };
}
