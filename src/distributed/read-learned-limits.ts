import type { Redis } from 'ioredis';
import type { LearnedBudget, LearnedLimits, LimitSource } from '../core/limit-memory.js';

/**
 * What the workers sharing a Redis have learned about each provider + model (see
 * rate-limit-scripts.ts for the fields), in the shape `braid limits` prints.
 *
 * @example
 * const learned = await readLearnedLimits(redis); // { 'openai:gpt-4.1-mini': { requests: { perWindow: 500, source: 'headers', … } } }
 */
export async function readLearnedLimits(redis: Redis, { keyPrefix = 'braid:limits' }: { keyPrefix?: string } = {}): Promise<Record<string, LearnedLimits>> {
  const found: Record<string, LearnedLimits> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:{*}:learned`, 'COUNT', 200);
    cursor = next;
    for (const key of keys) {
      const modelKey = key.slice(keyPrefix.length + 2, key.lastIndexOf('}:learned'));
      const learned = toLearnedLimits(await redis.hgetall(key));
      if (learned) found[modelKey] = learned;
    }
  } while (cursor !== '0');
  return found;
}

function toLearnedLimits(fields: Record<string, string>): LearnedLimits | undefined {
  const budget = (unit: 'R' | 'T'): LearnedBudget | undefined => {
    const stated = numberOf(fields[`stated${unit}`]);
    const confirmed = numberOf(fields[`confirmed${unit}`]);
    if (stated === undefined && confirmed === undefined) return undefined;
    const window = numberOf(fields[`window${unit}`]);
    const source = stated === undefined ? '429 rate' : ((fields[`source${unit}`] ?? 'headers') as LimitSource);
    const detail = fields[`detail${unit}`];
    return {
      ...(stated !== undefined && { perWindow: stated }),
      ...(stated !== undefined && window !== undefined && { windowMs: Math.ceil(window) }),
      ...(confirmed !== undefined && { perSecond: Number((confirmed * 1000).toPrecision(6)) }),
      source,
      ...(stated !== undefined && detail !== undefined && { detail }),
      learnedAt: new Date(numberOf(fields[`learnedAt${unit}`]) ?? 0).toISOString(),
    };
  };
  const requests = budget('R');
  const tokens = budget('T');
  const exhaustedQuota = readExhausted(fields.exhausted, fields.exhaustedAt);
  if (!requests && !tokens && !exhaustedQuota) return undefined;
  return { ...(requests && { requests }), ...(tokens && { tokens }), ...(exhaustedQuota && { exhaustedQuota }) };
}

function readExhausted(json: string | undefined, at: string | undefined): LearnedLimits['exhaustedQuota'] {
  if (json === undefined) return undefined;
  try {
    const { quota, limit, resetsAt } = JSON.parse(json) as { quota?: string; limit?: number; resetsAt?: string };
    return {
      name: quota ?? 'a daily quota',
      unit: 'requests',
      ...(limit !== undefined && { limit }),
      at: new Date(numberOf(at) ?? 0).toISOString(),
      ...(resetsAt !== undefined && { resetsAt }),
    };
  } catch {
    return undefined;
  }
}

function numberOf(text: string | undefined): number | undefined {
  const value = Number(text);
  return text === undefined || !Number.isFinite(value) ? undefined : value;
}
