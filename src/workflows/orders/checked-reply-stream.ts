import { createEventLog } from '../../core/event-log.js';
import type { StepStream } from '../../core/step-stream.js';
import { checkReply, type ReplyFacts } from './check-reply.js';

/** What a terminal or a page may show of the reply while it is written. */
export type ReplyEvent =
  /** More of the reply, a whole word or more at a time. */
  | { type: 'text'; text: string }
  /** What was shown is void: the model's answer started over, was re-asked, or was replaced. */
  | { type: 'reset' };

/**
 * The reply as it is written, shown only as far as it passes the reply check: it grows a whole
 * word at a time, once every identifier and amount written so far is one the results hold; from
 * the first one that is not, nothing more of that answer is shown (the check will reject it). It
 * ends with the reply that is sent, so what was shown is either its start or reset and replaced.
 * Read it from the start, at any time; it throws the workflow's error, if there is one, at its end.
 */
export type CheckedReplyStream = AsyncIterable<ReplyEvent>;

/** The writer's side of a checked reply stream. */
export interface CheckedReplyWriter {
  stream: CheckedReplyStream;
  /** Shows a streamed answer as it passes the check; resolves when the step's stream ends, never rejects. */
  follow(answer: StepStream<undefined>): Promise<void>;
  /** A new answer is asked for: what was shown of the last one is void. */
  reset(): void;
  /** The reply that is sent: the rest of it, or all of it after a reset when it is not what was shown. */
  settle(reply: string): void;
  fail(error: unknown): void;
}

export function createCheckedReplyStream(facts: ReplyFacts): CheckedReplyWriter {
  const log = createEventLog<ReplyEvent>();
  let text = ''; // the answer so far
  let shown = ''; // the part of it that was shown
  let isHeldBack = false; // it named something the results do not hold

  const reset = (): void => {
    if (shown !== '') log.push({ type: 'reset' });
    text = '';
    shown = '';
    isHeldBack = false;
  };
  const add = (delta: string): void => {
    text += delta;
    if (isHeldBack) return;
    // only whole words are checked: the last one may still be growing
    const wordsEnd = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n'), text.lastIndexOf('\t')) + 1;
    if (wordsEnd <= shown.length) return;
    const candidate = text.slice(0, wordsEnd);
    if (checkReply(candidate, facts).invented.length > 0) {
      isHeldBack = true;
      return;
    }
    log.push({ type: 'text', text: candidate.slice(shown.length) });
    shown = candidate;
  };

  return {
    stream: {
      async *[Symbol.asyncIterator]() {
        for (let position = 0; ; ) {
          const batch = await log.readFrom(position);
          if (batch === undefined) return;
          position += batch.length;
          yield* batch;
        }
      },
    },
    async follow(answer) {
      try {
        for await (const event of answer.events) {
          if (event.type === 'text') add(event.text);
          else if (event.type === 'reset') reset();
        }
      } catch {
        // the step's error is thrown by its value, to the workflow
      }
    },
    reset,
    settle(reply) {
      const visible = shown.trimStart(); // the sent reply is trimmed; a reader trims what it shows the same way
      if (visible !== '' && reply.startsWith(visible)) {
        if (reply.length > visible.length) log.push({ type: 'text', text: reply.slice(visible.length) });
      } else {
        reset();
        log.push({ type: 'text', text: reply });
      }
      log.end();
    },
    fail: (error) => log.fail(error),
  };
}
