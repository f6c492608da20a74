import type { z } from 'zod';
import type { JournalEntry, ResponseCache, StepJournal, StepStream, StreamEvent } from '../../src/index.js';

/**
 * Whether `partial` could be the start of `whole` as JSON is written: every string a prefix of the
 * final one, every number's digits a prefix of the final number's, every array no longer than the
 * final one and every element and property (of those present) consistent in turn. Keys the final
 * value lacks make it false, so a partial with a key the schema does not have fails.
 */
export function isPrefixConsistent(partial: unknown, whole: unknown): boolean {
  if (partial === undefined) return true;
  if (typeof partial === 'string') return typeof whole === 'string' && whole.startsWith(partial);
  if (typeof partial === 'number') return typeof whole === 'number' && String(whole).startsWith(String(partial));
  if (partial === null || typeof partial === 'boolean') return partial === whole;
  if (Array.isArray(partial)) {
    return Array.isArray(whole) && partial.length <= whole.length && partial.every((item, index) => isPrefixConsistent(item, whole[index]));
  }
  if (typeof partial === 'object') {
    if (whole === null || typeof whole !== 'object' || Array.isArray(whole)) return false;
    return Object.entries(partial).every(([key, value]) => key in whole && isPrefixConsistent(value, (whole as Record<string, unknown>)[key]));
  }
  return false;
}

/** Every event of a streamed step, in order, and the error that ended it, if one did. */
export async function collectEvents<Schema extends z.ZodType | undefined>(stream: StepStream<Schema>): Promise<{ events: StreamEvent<Schema>[]; error?: unknown }> {
  const events: StreamEvent<Schema>[] = [];
  try {
    for await (const event of stream.events) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

/** A journal and a response cache in memory, recording every write, for tests of what is kept. */
export function createMemoryStore(): { journal: StepJournal; cache: ResponseCache; journalWrites: [string, JournalEntry][]; cacheWrites: unknown[] } {
  const entries = new Map<string, JournalEntry>();
  const cached = new Map<string, unknown>();
  const journalWrites: [string, JournalEntry][] = [];
  const cacheWrites: unknown[] = [];
  return {
    journal: {
      read: (runId, key) => entries.get(`${runId}\u0000${key}`),
      write(runId, key, entry) {
        journalWrites.push([key, entry]);
        entries.set(`${runId}\u0000${key}`, structuredClone(entry));
      },
    },
    cache: {
      read: (hash) => (cached.has(hash) ? { value: cached.get(hash) } : undefined),
      write(hash, value) {
        cacheWrites.push(value);
        cached.set(hash, structuredClone(value));
      },
    },
    journalWrites,
    cacheWrites,
  };
}

/** Reads a server-sent event body into `{ event, data }` pairs, data parsed as JSON. */
export function parseServerSentEvents(body: string): { event: string; data: unknown }[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length)).join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}
