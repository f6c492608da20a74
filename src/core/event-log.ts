/**
 * The events of one stream, kept in order, that any number of readers iterate each from the start
 * and at their own pace: one that starts late misses nothing, and a slow one holds up no other
 * (nor the writer, which never waits). A failed log throws its error to every reader once it has
 * read the events before it.
 */
export interface EventLog<Event> extends AsyncIterable<Event> {
  push(event: Event): void;
  end(): void;
  fail(error: unknown): void;
}

export function createEventLog<Event>(): EventLog<Event> {
  const events: Event[] = [];
  let ending: { error?: unknown; isFailed: boolean } | undefined;
  let waiting: (() => void)[] = [];
  const wake = (): void => {
    const woken = waiting;
    waiting = [];
    for (const resolve of woken) resolve();
  };
  return {
    push(event) {
      if (ending) return; // a stream is over once it ended: nothing may follow its value or error
      events.push(event);
      wake();
    },
    end() {
      ending ??= { isFailed: false };
      wake();
    },
    fail(error) {
      ending ??= { error, isFailed: true };
      wake();
    },
    [Symbol.asyncIterator](): AsyncIterator<Event> {
      let index = 0;
      let isDone = false;
      const done = (): IteratorResult<Event> => ({ done: true, value: undefined });
      return {
        async next() {
          while (!isDone && index >= events.length) {
            if (ending) {
              isDone = true;
              if (ending.isFailed) throw ending.error;
            } else {
              await new Promise<void>((resolve) => waiting.push(resolve));
            }
          }
          return isDone ? done() : { done: false, value: events[index++]! };
        },
        async return() {
          isDone = true; // a reader that stops early (break, a closed response) reads no further
          return done();
        },
      };
    },
  };
}
