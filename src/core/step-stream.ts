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
   * The step as server-sent events (UTF-8): `partial` events with a schema, `text` events without,
   * then `reset` when an attempt starts over, and `value` (or `error`) last. Each event's data is a
   * JSON object: `{ partial }`, `{ text }`, `{ reason, attempt }`, `{ value }`, `{ name, message }`.
   */
  toSSE(): ReadableStream<Uint8Array>;
  /** `toSSE()` as a web `Response` (`text/event-stream`), for a route in Next.js, Hono or any fetch-style server. */
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
  return {
    textStream: select(log, (event) => (event.type === 'text' ? [event.text] : [])),
    partialStream: select(log, (event) => (event.type === 'partial' ? [event.partial] : [])),
    events: log,
    value,
    toSSE: () => toServerSentEvents(log, hasSchema),
    toResponse(init = {}) {
      const headers = new Headers(SSE_HEADERS);
      new Headers(init.headers).forEach((header, name) => headers.set(name, header)); // the caller's headers win
      return new Response(toServerSentEvents(log, hasSchema), { ...init, headers });
    },
  };
}

/** An async iterable of what `pick` takes from each event, read afresh from the log's start on every iteration. */
function select<Event, Item>(log: EventLog<Event>, pick: (event: Event) => Item[]): AsyncIterable<Item> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const event of log) yield* pick(event);
    },
  };
}

function toServerSentEvents<Schema extends z.ZodType | undefined>(log: EventLog<StreamEvent<Schema>>, hasSchema: boolean): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const reader = log[Symbol.asyncIterator]();
  const encode = (name: string, data: unknown): Uint8Array => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: IteratorResult<StreamEvent<Schema>>;
        try {
          next = await reader.next();
        } catch (error) {
          // a web client cannot be thrown at: it is told why, and the stream ends cleanly
          const name = error instanceof Error ? error.name : 'Error';
          controller.enqueue(encode('error', { name, message: error instanceof Error ? error.message : String(error) }));
          controller.close();
          return;
        }
        if (next.done) {
          controller.close();
          return;
        }
        const { type, ...data } = next.value;
        // one view of the answer is enough for a client: partial objects with a schema, text deltas without
        if ((type === 'text' && hasSchema) || (type === 'partial' && !hasSchema)) continue;
        controller.enqueue(encode(type, data));
        return;
      }
    },
    async cancel() {
      await reader.return?.(); // the client went away; the step itself runs on, to its journal
    },
  });
}
