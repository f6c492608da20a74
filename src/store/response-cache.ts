import type { DatabaseSync } from 'node:sqlite';
import type { ResponseCache } from '../core/step-store.js';

export interface ResponseCacheOptions {
  /**
   * How long an answer stays usable, in milliseconds. Older entries read as misses and are deleted.
   * @default Number.POSITIVE_INFINITY (never expires)
   */
  ttlMs?: number;
}

/**
 * The response cache over the store's `cache` table, shared by every run using the file.
 * Creating it deletes the entries already expired, so the file does not grow forever.
 */
export function createResponseCache(
  database: DatabaseSync,
  { now }: { now: () => number },
  { ttlMs = Number.POSITIVE_INFINITY }: ResponseCacheOptions = {},
): ResponseCache {
  const statements = {
    read: database.prepare('SELECT value_json AS valueJson, written_at AS writtenAt FROM cache WHERE hash = ?'),
    write: database.prepare(`
      INSERT INTO cache (hash, value_json, written_at) VALUES (?, ?, ?)
      ON CONFLICT (hash) DO UPDATE SET value_json = excluded.value_json, written_at = excluded.written_at`),
    // matches the written time too: a fresh answer another process just wrote must survive
    deleteEntry: database.prepare('DELETE FROM cache WHERE hash = ? AND written_at = ?'),
    deleteOlderThan: database.prepare('DELETE FROM cache WHERE written_at < ?'),
  };
  const isExpired = (writtenAt: number): boolean => now() - writtenAt > ttlMs;
  if (Number.isFinite(ttlMs)) statements.deleteOlderThan.run(now() - ttlMs);

  return {
    read(hash) {
      const row = statements.read.get(hash);
      if (!row) return undefined;
      const writtenAt = Number(row.writtenAt);
      if (isExpired(writtenAt)) {
        statements.deleteEntry.run(hash, writtenAt);
        return undefined;
      }
      return { value: JSON.parse(String(row.valueJson)) };
    },
    write(hash, value) {
      statements.write.run(hash, JSON.stringify(value), now());
    },
  };
}
