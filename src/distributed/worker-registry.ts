import type { Redis } from 'ioredis';
import { z } from 'zod';

/** What a live worker says about itself in Redis. */
const WorkerRecord = z.object({ name: z.string(), model: z.string() });
export type WorkerRecord = z.infer<typeof WorkerRecord>;

/** A worker's record outlives its last refresh by this long, so a killed worker drops out on its own. */
const RECORD_TTL_MS = 30_000;

const keyOf = (prefix: string, name: string): string => `${prefix}:workers:${name}`;

/**
 * Announces a worker and the model it serves until `stop` is called (or the process dies and the
 * record expires), so a producer can tell that a batch asks for another model before enqueueing it.
 */
export async function registerWorker(redis: Redis, { prefix, name, model }: { prefix: string } & WorkerRecord): Promise<{ stop(): Promise<void> }> {
  const write = () => redis.set(keyOf(prefix, name), JSON.stringify({ name, model }), 'PX', RECORD_TTL_MS);
  await write();
  const timer = setInterval(() => void write().catch(() => {}), RECORD_TTL_MS / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (redis.status === 'ready') await redis.del(keyOf(prefix, name)).catch(() => {});
    },
  };
}

/** The workers alive on this Redis and prefix, by name. Records that do not parse are skipped. */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerRecord[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:workers:*`, 'COUNT', 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(keys);
  return values.flatMap((value) => {
    if (value === null) return [];
    try {
      const parsed = WorkerRecord.safeParse(JSON.parse(value));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
