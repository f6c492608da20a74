import type { Redis } from 'ioredis';
import type { JournalEntry, StepJournal } from '../core/step-store.js';
import { JournalWriteError } from './distributed-errors.js';
import { defineRedisScript } from './redis-script.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RedisStepJournalOptions {
  /** An ioredis client; the caller owns it and closes it. */
  connection: Redis;
  /** One hash per run: `<prefix>:<run id>`, a field per step key. @default 'braid:journal' */
  keyPrefix?: string;
  /** A run's journal is dropped this long after its last write. @default 7 days */
  ttlMs?: number;
}

/**
 * A `StepJournal` in Redis. `StepJournal` reads are synchronous (the runtime asks it before every
 * step), so a run's journal is loaded once, before the run starts, and then read from memory.
 */
export interface RedisStepJournal extends StepJournal {
  /**
   * Sends the step to Redis and resolves once Redis holds it (the runtime awaits it before it uses
   * the result); rejects with a `JournalWriteError` if Redis refused it.
   */
  write(runId: string, key: string, entry: JournalEntry): Promise<void>;
  /** Reads the run's steps from Redis. Call it before the run starts: a run not loaded replays nothing. */
  load(runId: string): Promise<void>;
  /** Resolves once every write of the run so far is in Redis; rejects with a `JournalWriteError` if one failed. */
  flush(runId: string): Promise<void>;
  /** Drops the run from memory (not from Redis), once its job is done. */
  forget(runId: string): void;
}

// one command, so the hash never outlives its TTL without one, whatever happens between two calls
const writeScript = defineRedisScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

/**
 * The step journal of distributed runs: a job retried on another machine replays the steps its
 * earlier attempt already paid for.
 *
 * A `write` resolves once Redis has the step, and the worker also awaits `flush` before it reports
 * the job done, so no write is left unconfirmed. A worker killed in the moment between a step's
 * answer and Redis receiving the write pays for that one step again on the retry; with
 * `appendfsync everysec`, so does a Redis crash within a second of the write.
 *
 * @example
 * const journal = createRedisStepJournal({ connection: redis });
 * await journal.load(runId);
 * const braid = createRuntime({ model, runId, journal });
 * ...
 * await journal.flush(runId);
 */
export function createRedisStepJournal({ connection, keyPrefix = 'braid:journal', ttlMs = 7 * DAY_MS }: RedisStepJournalOptions): RedisStepJournal {
  const loaded = new Map<string, Map<string, string>>();
  const pending = new Map<string, Set<Promise<void>>>();
  const failures = new Map<string, unknown>();
  const keyOf = (runId: string): string => `${keyPrefix}:${runId}`;

  return {
    async load(runId) {
      const fields = await connection.hgetall(keyOf(runId));
      loaded.set(runId, new Map(Object.entries(fields)));
    },
    read(runId, key) {
      const json = loaded.get(runId)?.get(key);
      return json === undefined ? undefined : (JSON.parse(json) as JournalEntry);
    },
    write(runId, key, entry) {
      const json = JSON.stringify(entry);
      loaded.get(runId)?.set(key, json);
      const writes = pending.get(runId) ?? new Set<Promise<void>>();
      pending.set(runId, writes);
      // durable when Redis confirms: the runtime waits for it before it uses the result
      const write: Promise<void> = writeScript.run(connection, [keyOf(runId)], [key, json, ttlMs]).then(
        () => {},
        (error: unknown) => {
          if (!failures.has(runId)) failures.set(runId, error);
          throw new JournalWriteError(runId, { cause: error });
        },
      );
      // flush reports a failure too: a caller that does not await the write must not see it as unhandled
      const settled = write.catch(() => {});
      writes.add(settled);
      void settled.finally(() => writes.delete(settled));
      return write;
    },
    async flush(runId) {
      await Promise.all(pending.get(runId) ?? []);
      pending.delete(runId);
      const failure = failures.get(runId);
      failures.delete(runId);
      if (failure !== undefined) throw new JournalWriteError(runId, { cause: failure });
    },
    forget(runId) {
      loaded.delete(runId);
      pending.delete(runId);
      failures.delete(runId);
    },
  };
}
