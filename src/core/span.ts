/**
 * One timed piece of a run, as written to the in-memory result, the JSONL trace
 * file and the journal. The viewer and the run summary read nothing else.
 *
 * - `run`: the whole run; the root of the tree.
 * - `group`: a pattern node (chain, parallel item, route, orchestrate…), no model call of its own.
 * - `step`: one typed LLM step; its children are its attempts.
 * - `attempt`: one request on the wire (or one replay from the cache or journal).
 * - `effect`: one side effect (a database write…), run once per run and position.
 * - `wait`: a durable wait for a signal (`waitFor`) or a time (`sleep`).
 */
export type SpanKind = 'run' | 'group' | 'step' | 'attempt' | 'effect' | 'wait';

/** `waiting`: the span (and the run's session) stopped at a wait that has no answer yet. */
export type SpanStatus = 'ok' | 'error' | 'cancelled' | 'waiting';

export interface Span {
  id: string;
  parentId?: string;
  runId: string;
  kind: SpanKind;
  name: string;
  /** On a step, effect, wait or group: its position in the workflow, which keys it in the journal. */
  key?: string;
  /** On a group: what it is about (a document's title, a query's first words), for the timeline. */
  label?: string;
  /** The model spec, e.g. `openai:gpt-4o-mini`. */
  model?: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  status: SpanStatus;
  /** On a step: how many attempts it took. */
  attempts?: number;
  /**
   * Time to first token, on a streamed step: from the step's start to the first text it streamed
   * (limiter wait and any failed attempt included); on a streamed attempt: from its request to its first text.
   */
  firstTokenMs?: number;
  /** On an attempt: time spent queued in the rate limiter before the request went out. */
  waitMs?: number;
  /** On an attempt: backoff slept before it, after a 429, 5xx or network error. */
  backoffMs?: number;
  /** On an attempt: the provider answered 429. */
  rateLimited?: boolean;
  /** HTTP status of the attempt, when there was one. */
  httpStatus?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens served from a provider's prompt cache or the local model's reused prefix. */
  cachedInputTokens?: number;
  costUsd?: number;
  /** Served from the response cache or replayed from the journal: no model call was made. */
  replayed?: 'cache' | 'journal';
  /** On a step: the journal held a result for it, made by other inputs (`changed`) or no longer valid, so it ran again. */
  rerun?: 'changed' | 'invalid';
  /** The result could not be journaled (e.g. a full disk): it was used, but a resume would pay for it again. */
  journalError?: string;
  prompt?: string;
  output?: string;
  error?: string;
}
