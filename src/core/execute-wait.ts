import { z } from 'zod';
import { BraidError, cancellationError, InputError, RunWaitingError, WaitTimeoutError } from './errors.js';
import { excerpt, statusOf } from './execute-step.js';
import type { SleepOptions, WaitOptions } from './run.js';
import { nextChildPath, type ScopePosition } from './scope.js';
import type { SpanRecorder } from './span-recorder.js';
import type { WaitJournal, WaitRequest } from './wait-journal.js';

/** What a wait needs from its runtime. */
export interface WaitEngine {
  runId: string;
  spans: SpanRecorder;
  /** Where waits and answers are kept; a runtime without one cannot wait. */
  waits?: WaitJournal;
}

/**
 * Waits at `scope` for a signal of `name`: returns the answer when one is stored for this
 * position (checked against `schema`), else records the wait and throws `RunWaitingError`. The
 * run's `waitFor` method.
 */
export async function executeWait<Schema extends z.ZodType>(
  engine: WaitEngine,
  scope: ScopePosition,
  name: string,
  schema: Schema,
  options: WaitOptions<z.output<Schema>> = {},
): Promise<z.output<Schema>> {
  const { timeoutMs, prompt, key: explicitKey } = options;
  const hasDefault = options.default !== undefined;
  const key = explicitKey ?? nextChildPath(scope, name);
  const request: WaitRequest = {
    key,
    name,
    kind: 'signal',
    // the input side: what whoever answers must send
    schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    ...(prompt === undefined ? {} : { prompt }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    // recorded as the answer, so a late signal and every replay see the same outcome
    ...(hasDefault ? { whenDue: { value: null } } : {}),
  };
  const check = (value: unknown): string | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? undefined : z.prettifyError(parsed.error);
  };
  const answer = await awaitWait(engine, scope, request, check);
  // the default is the code's own value (it may hold what JSON cannot), not its journaled copy
  if (answer.by === 'deadline') return options.default as z.output<Schema>;
  return schema.parse(answer.value);
}

/** Pauses the run at `scope` until `ms` after it first got here. The run's `sleep` method. */
export async function executeSleep(engine: WaitEngine, scope: ScopePosition, ms: number, { name = 'sleep', key: explicitKey }: SleepOptions = {}): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`run.sleep takes milliseconds, 0 or more, not ${ms}`);
  const key = explicitKey ?? nextChildPath(scope, name);
  await awaitWait(engine, scope, { key, name, kind: 'sleep', timeoutMs: ms, whenDue: { value: null } }, () => 'a sleep takes no answer');
}

async function awaitWait(
  engine: WaitEngine,
  scope: ScopePosition,
  request: WaitRequest,
  check: (value: unknown) => string | undefined,
): Promise<{ value: unknown; by: 'signal' | 'deadline' }> {
  const span = engine.spans.open({
    kind: 'wait',
    name: request.name,
    key: request.key,
    parentId: scope.spanId,
    ...(request.prompt === undefined ? {} : { prompt: request.prompt }),
  });
  try {
    scope.signal.throwIfAborted();
    if (!engine.waits) {
      throw new InputError(`run.${request.kind === 'sleep' ? 'sleep' : 'waitFor'} needs a durable run: start it with startRun(store, …) (or give createRuntime a \`waits\` journal)`);
    }
    const state = await engine.waits.reach(engine.runId, request, check);
    if (state.state === 'pending') throw new RunWaitingError([state.wait]);
    if (state.state === 'timed-out') throw new WaitTimeoutError(request.key, request.name, state.wait.deadline ?? '?');
    if (state.value !== null || request.kind === 'signal') span.output = excerpt(JSON.stringify(state.value));
    engine.spans.close(span, 'ok');
    return state;
  } catch (error) {
    const failure = scope.signal.aborted && !(error instanceof BraidError) ? cancellationError(scope.signal) : error;
    if (!(failure instanceof RunWaitingError)) span.error = failure instanceof Error ? failure.message : String(failure);
    engine.spans.close(span, statusOf(failure));
    throw failure;
  }
}
