import type { DeepPartial } from 'ai';
import type { z } from 'zod';
import type { EventLog } from './event-log.js';
import type { StepValue } from './run-step.js';
import type { AttemptReason } from './wire-attempt.js';

/** What a streamed step's answer looks like while it is written: a deep-partial object, or the text so far. */
export type StreamPartial<Schema extends z.ZodType | undefined> = Schema extends z.ZodType ? DeepPartial<z.infer<Schema>> : string;

/** One thing that happened in a streamed step, in order. */
export type StreamEvent<Schema extends z.ZodType | undefined> =
  /** Text as the model wrote it (a schema step's raw JSON). */
  | { type: 'text'; text: string }
  /** The whole answer so far: with a schema, a deep-partial object, each extending the one before. */
  | { type: 'partial'; partial: StreamPartial<Schema> }
  /** What was streamed so far is void: attempt `attempt` starts over after a failure on the wire (`retry`) or invalid output (`repair`). */
  | { type: 'reset'; reason: AttemptReason; attempt: number }
  /** The validated final value, as `step` returns it; always the last event. */
  | { type: 'value'; value: StepValue<Schema> };

/**
 * A step whose answer streams as it is generated. It runs at once, whether or not anything reads
 * it, through the same limiter, retries, repairs, deadline, cost cap, trace and journal as `step`.
 * Every stream below reads from the step's start, however late it is opened, and any number may be
 * read at once. A failed step throws its error from every stream, after what was streamed before it.
 */
export interface StepStream<Schema extends z.ZodType | undefined> {
  /**
   * The text as it arrives (with a schema, the raw JSON). After a retry or a repair the text starts
   * over; read `events` to see the `reset` that says so.
   */
  readonly textStream: AsyncIterable<string>;
  /** The answer so far, each time it grows: deep-partial objects with a schema, else the text so far. After a reset it starts small again. */
  readonly partialStream: AsyncIterable<StreamPartial<Schema>>;
  /** Text, partials, resets and the final value, in order. */
  readonly events: AsyncIterable<StreamEvent<Schema>>;
  /** The validated final value: exactly what `step` returns (and throws). */
  readonly value: Promise<StepValue<Schema>>;
  /**
   * The step as server-sent events, one event's text at a time (write each to an HTTP response):
   * `partial` events with a schema, `text` events without, `reset` when an attempt starts over, and
   * `value` (or `error`, since a client cannot be thrown at) last. Each event's data is JSON:
   * `{ partial }`, `{ text }`, `{ reason, attempt }`, `{ value }`, `{ name, message }`.
   */
  toSSE(): AsyncIterable<string>;
  /** `toSSE()` as a web `Response` (`text/event-stream`), to return from a Next.js, Hono or any fetch-style route. */
  toResponse(init?: ResponseInit): Response;
}

/** The headers of a server-sent event stream that proxies must not buffer or transform. */
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' };

/** The consumer side of a streamed step: views of its event log, and its value. */
export function createStepStream<Schema extends z.ZodType | undefined>(
  log: EventLog<StreamEvent<Schema>>,
  value: Promise<StepValue<Schema>>,
  { hasSchema }: { hasSchema: boolean },
): StepStream<Schema> {
  const view = <Item>(pick: (event: StreamEvent<Schema>) => Item | undefined): AsyncIterable<Item> => ({
    async *[Symbol.asyncIterator]() {
      for (let position = 0; ; ) {
        const batch = await log.readFrom(position); // what piled up while the reader was busy comes at once
        if (batch === undefined) return;
        position += batch.length;
        for (const event of batch) {
          const item = pick(event);
          if (item !== undefined) yield item;
        }
      }
    },
  });
  const events = view((event) => event);
  return {
    textStream: view((event) => (event.type === 'text' ? event.text : undefined)),
    partialStream: view((event) => (event.type === 'partial' ? event.partial : undefined)),
    events,
    value,
    toSSE: () => toServerSentEvents(events, hasSchema),
    toResponse(init = {}) {
      const headers = new Headers(SSE_HEADERS);
      new Headers(init.headers).forEach((header, name) => headers.set(name, header)); // the caller's headers win
      return new Response(toByteStream(toServerSentEvents(events, hasSchema)), { ...init, headers });
    },
  };
}

/** The step's events as server-sent event texts: one view of the answer (partials with a schema, text without), resets, and the value or the error. */
async function* toServerSentEvents<Schema extends z.ZodType | undefined>(events: AsyncIterable<StreamEvent<Schema>>, hasSchema: boolean): AsyncGenerator<string> {
  const format = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  try {
    for await (const { type, ...data } of events) {
      // one view of the answer is enough for a client: partial objects with a schema, text without
      if ((type === 'text' && hasSchema) || (type === 'partial' && !hasSchema)) continue;
      yield format(type, data);
    }
  } catch (error) {
    // the client is told why, and the stream ends cleanly
    yield format('error', { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) });
  }
}

/** Server-sent event texts as a byte stream for a `Response`; a client that goes away stops the reading, not the step. */
function toByteStream(texts: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const reader = texts[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await reader.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await reader.return?.(); // the step itself runs on, to its journal
    },
  });
}
