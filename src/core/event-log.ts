/**
 * The events of one stream, kept in order, that any number of readers read each from the start and
 * at their own pace: one that starts late misses nothing, a slow one holds up no other (nor the
 * writer, which never waits), and one that falls behind gets what piled up in one batch.
 */
export interface EventLog<Event> {
  push(event: Event): void;
  end(): void;
  fail(error: unknown): void;
  /**
   * Every event from position `from` on that is in the log, waiting until there is one; `undefined`
   * once the log has ended and all were read. A failed log throws its error once the events before
   * it were read.
   */
  readFrom(from: number): Promise<readonly Event[] | undefined>;
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
    async readFrom(from) {
      while (from >= events.length) {
        if (ending?.isFailed) throw ending.error;
        if (ending) return undefined;
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      return events.slice(from);
    },
  };
}
