import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SpanLine } from '../core/read-trace-file.js';
import type { Span } from '../core/span.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One attempt of one item: its run's spans, as its worker recorded them. */
const ItemSpans = z.object({ index: z.number().int().min(0), spans: z.array(SpanLine) });

const keyOf = (prefix: string, batchId: string): string => `${prefix}:spans:${batchId}`;

/**
 * Appends one attempt's spans to its batch's list, failed attempts included, so `braid view
 * <batch-id>` shows every item's timeline from any machine. Kept as long as the journal.
 */
export async function recordItemSpans(
  redis: Redis,
  {
    prefix,
    batchId,
    index,
    spans,
    ttlMs = 7 * DAY_MS,
    redact = (text) => text,
  }: {
    prefix: string;
    batchId: string;
    index: number;
    spans: readonly Span[];
    ttlMs?: number;
    /** Applied to the stored JSON: a span's error may quote a secret. */
    redact?: (text: string) => string;
  },
): Promise<void> {
  const key = keyOf(prefix, batchId);
  await redis.multi().rpush(key, redact(JSON.stringify({ index, spans }))).pexpire(key, ttlMs).exec();
}

/**
 * A batch's spans as one run: a root span for the batch, and under it each item attempt's run as a
 * group named after the item. Entries that do not parse are skipped (they come from Redis, which
 * anyone with access may write). Empty when no worker recorded any.
 */
export async function readBatchSpans(redis: Redis, { prefix, batchId, kind }: { prefix: string; batchId: string; kind: string }): Promise<Span[]> {
  const entries = (await redis.lrange(keyOf(prefix, batchId), 0, -1)).flatMap((json) => {
    try {
      const parsed = ItemSpans.safeParse(JSON.parse(json));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
  const itemSpans = entries.flatMap(({ index, spans }) =>
    spans.map((span): Span => {
      const base = { ...(span as Span), runId: batchId };
      // each item's run becomes a group of the batch's run
      return span.kind === 'run' && span.parentId === undefined ? { ...base, kind: 'group', parentId: batchId, name: `${kind}[${index}]` } : base;
    }),
  );
  if (itemSpans.length === 0) return [];
  // a loop, not Math.min(...spans): a big batch has more spans than a call has room for arguments
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const span of itemSpans) {
    start = Math.min(start, span.start);
    end = Math.max(end, span.end);
  }
  const status = itemSpans.some((span) => span.parentId === batchId && span.status !== 'ok') ? 'error' : 'ok';
  return [{ id: batchId, runId: batchId, kind: 'run', name: `${kind} batch`, start, end, status }, ...itemSpans];
}
