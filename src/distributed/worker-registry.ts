import type { Redis } from 'ioredis';
import { z } from 'zod';

/** What a live worker says about itself in Redis. */
const WorkerRecord = z.object({ name: z.string(), model: z.string(), expiresAt: z.number() });
export type WorkerRecord = Omit<z.infer<typeof WorkerRecord>, 'expiresAt'>;

/** A worker's record outlives its last refresh by this long, so a killed worker drops out on its own. */
const RECORD_TTL_MS = 30_000;

// one hash for all workers: a producer reads it in one command, however many keys Redis holds
const keyOf = (prefix: string): string => `${prefix}:workers`;

/**
 * Announces a worker and the model it serves until `stop` is called (or the process dies and its
 * record goes stale), so a producer can tell that a batch asks for another model before enqueueing it.
 */
export async function registerWorker(redis: Redis, { prefix, name, model }: { prefix: string } & WorkerRecord): Promise<{ stop(): Promise<void> }> {
  const write = () => redis.hset(keyOf(prefix), name, JSON.stringify({ name, model, expiresAt: Date.now() + RECORD_TTL_MS }));
  await write();
  const timer = setInterval(() => void write().catch(() => {}), RECORD_TTL_MS / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      if (redis.status === 'ready') await redis.hdel(keyOf(prefix), name).catch(() => {});
    },
  };
}

/** The workers alive on this Redis and prefix. Stale records (a killed worker's) are dropped; records that do not parse are skipped. */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerRecord[]> {
  const now = Date.now();
  const live: WorkerRecord[] = [];
  const stale: string[] = [];
  for (const [field, json] of Object.entries(await redis.hgetall(keyOf(prefix)))) {
    let parsed: z.ZodSafeParseResult<z.infer<typeof WorkerRecord>>;
    try {
      parsed = WorkerRecord.safeParse(JSON.parse(json));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    if (parsed.data.expiresAt < now) stale.push(field);
    else live.push({ name: parsed.data.name, model: parsed.data.model });
  }
  if (stale.length > 0) await redis.hdel(keyOf(prefix), ...stale);
  return live;
}
