import type { LanguageModel } from 'ai';
import type { z } from 'zod';
import type { EvaluateOptimizeOptions, Optimized } from './evaluate-optimize.js';
import type { OrchestrateOptions, Orchestrated, TaskUnion } from './orchestrate.js';
import type { ParallelItemOptions, Settled } from './parallel.js';
import type { RouteHandlers, RouteOptions, RouteResult, Routed } from './route.js';
import type { StepValue } from './run-step.js';
import type { StepStream } from './step-stream.js';

export interface StepOptions<Schema extends z.ZodType | undefined> {
  name: string;
  /** The per-item part of the prompt. */
  prompt: string;
  /** The stable part: instructions and documents shared by many steps. Sent first, so prefixes can be reused and cached. */
  system?: string;
  /** Validates (and types) the output. Without it the step returns text. */
  schema?: Schema;
  model?: LanguageModel;
  maxOutputTokens?: number;
  temperature?: number;
  /** @default the runtime's `timeoutMs` */
  timeoutMs?: number;
  /** @default the runtime's `repairs` */
  repairs?: number;
  /** Journal key; by default the step's position in the workflow. */
  key?: string;
  /** Skip the response cache for this step (e.g. when it must act anew). */
  noCache?: boolean;
}

/** What an effect's function is handed. */
export interface EffectContext {
  /**
   * The same on every attempt and every resume of this run at this position, and different
   * anywhere else: give it to the external system as its idempotency key, so that even a crash
   * between its write and braid's journal entry cannot write twice.
   */
  idempotencyKey: string;
  signal: AbortSignal;
}

export interface EffectOptions<Value> {
  /** What the effect acts on. Hashed into the journal: a resume with another input refuses to replay it. */
  input?: unknown;
  /** Checks the journaled value on replay. */
  schema?: z.ZodType<Value>;
  /** Journal key; by default the effect's position in the workflow. */
  key?: string;
}

export interface WaitOptions<Value> {
  /**
   * How long the wait may last, counted from the first time the run reached it (a resume does not
   * restart it). Past it, the wait takes `default`, or fails with `WaitTimeoutError`. @default no deadline
   */
  timeoutMs?: number;
  /** What to show whoever answers (in `braid runs`, the CLI's waiting line and the console). */
  prompt?: string;
  /** The answer the wait takes when `timeoutMs` passes without one. Without it, the wait fails. */
  default?: Value;
  /** Journal key; by default the wait's position in the workflow. */
  key?: string;
}

export interface SleepOptions {
  /** Names the sleep in traces and its journal key. @default 'sleep' */
  name?: string;
  /** Journal key; by default the sleep's position in the workflow. */
  key?: string;
}

export interface GroupOptions {
  /** Also cancels this group (and only it), besides the run's own signal. */
  signal?: AbortSignal;
  /** What the group is about (a document's title, a query's first words), shown in the timeline; not part of its key. */
  label?: string;
  /**
   * Steps inside keep response-cache entries of their own under this variant (nested variants
   * add up). Repeated trials of the same prompt (`evaluate`'s `trials`) each make their own call,
   * and each is answered from the cache on a re-run. @default none: the step's inputs alone key the cache
   */
  cacheVariant?: string;
}

/** One link of a chain: takes the previous link's typed result, and the chain's scope. */
export type Link<Input, Output> = readonly [name: string, link: (input: Input, run: Run) => Promise<Output>];

/**
 * A position in a run, and everything a workflow does there. Every pattern hands its body a child
 * `Run`, so each step's journal key is its place in the workflow (item index, branch name, loop
 * round), never the order in which steps happened to start.
 */
export interface Run {
  readonly runId: string;
  /** Aborts when this scope is cancelled: the run's signal, `cancel()`, or a fail-fast sibling. */
  readonly signal: AbortSignal;
  /** This scope's position, e.g. `/faq#0/question[2]#0`. */
  readonly path: string;
  /** One typed LLM call: limited, retried, repaired, traced, journaled. */
  step<Schema extends z.ZodType | undefined = undefined>(options: StepOptions<Schema>): Promise<StepValue<Schema>>;
  /**
   * The streaming twin of `step`, with the same options, key, limits, retries, repairs, journal and
   * cache. Returns at once; the answer streams as it is generated (`textStream`, `partialStream`,
   * `events`, `toResponse()`), and `value` is what `step` would return. Only the final validated
   * value is journaled and cached; a replayed or cached step streams it whole, at once.
   *
   * @example
   * const answer = run.stream({ name: 'answer', prompt: question, schema: Answer });
   * for await (const partial of answer.partialStream) render(partial);
   * const final = await answer.value;
   */
  stream<Schema extends z.ZodType | undefined = undefined>(options: StepOptions<Schema>): StepStream<Schema>;
  /**
   * A side effect (a database write, an email) that runs once per run and position: its JSON
   * result is journaled and replayed on resume instead of running again.
   */
  effect<Value>(name: string, run: (context: EffectContext) => Value | Promise<Value>, options?: EffectOptions<Value>): Promise<Value>;
  /**
   * Waits, durably, for an answer from outside the run: a person's approval, a webhook. The first
   * time the run reaches the wait it records it (what for, the schema, the prompt, the deadline)
   * and stops with a `RunWaitingError`: the process may end, and everything journaled stays. The
   * answer comes from `signal(store, runId, name, value)` or `braid signal <run-id> <name> '<json>'`
   * (checked against the schema, so a wrong shape is refused); a resume then replays the run up to
   * the wait, which returns the answer. An answer sent before the wait is reached is kept for it.
   * Needs a durable run (`startRun`, or a runtime with a `waits` journal).
   *
   * @throws {RunWaitingError} while no answer is there: let it propagate (the run's session ends `waiting`).
   * @throws {WaitTimeoutError} once `timeoutMs` has passed without an answer, unless `default` is given.
   * @example
   * const Approval = z.object({ approved: z.boolean(), note: z.string().optional() });
   * const { approved } = await run.waitFor('approval', Approval, { prompt: `Refund ${amount} USD to ${customer}?`, timeoutMs: 86_400_000, default: { approved: false } });
   * if (approved) await run.effect('refund', () => payments.refund(order, amount));
   */
  waitFor<Schema extends z.ZodType>(name: string, schema: Schema, options?: WaitOptions<z.output<Schema>>): Promise<z.output<Schema>>;
  /**
   * Pauses the run, durably, for `ms`: the run stops with a `RunWaitingError` (status `waiting`
   * until the due time) and goes on when resumed after it; a resume before it keeps waiting. The
   * due time counts from the first time the run reached the sleep.
   *
   * @throws {RunWaitingError} until the sleep is due.
   * @example
   * await run.effect('send-reminder', () => mailer.send(reminder));
   * await run.sleep(3 * 86_400_000); // three days, whatever happens to the process meanwhile
   */
  sleep(ms: number, options?: SleepOptions): Promise<void>;
  /** Runs `body` as a named part of the run (a child scope), for traces and journal keys. */
  group<T>(name: string, body: (run: Run) => Promise<T>, options?: GroupOptions): Promise<T>;
  /** Runs `body` over every item concurrently, each in its own scope `name[index]`, and settles each one on its own. */
  parallel<Item, Result>(
    items: readonly Item[],
    body: (item: Item, run: Run, index: number) => Promise<Result>,
    options?: ParallelItemOptions<Item>,
  ): Promise<Settled<Result>[]>;
  /** Runs typed links one after another, each in its own scope, passing results forward. */
  chain<A, B>(input: A, first: Link<A, B>): Promise<B>;
  chain<A, B, C>(input: A, first: Link<A, B>, second: Link<B, C>): Promise<C>;
  chain<A, B, C, D>(input: A, first: Link<A, B>, second: Link<B, C>, third: Link<C, D>): Promise<D>;
  chain<A, B, C, D, E>(input: A, first: Link<A, B>, second: Link<B, C>, third: Link<C, D>, fourth: Link<D, E>): Promise<E>;
  /** Classifies `input` into a closed set of intents, then runs that intent's handler. */
  route<Intents extends z.ZodEnum, Input, Handlers extends RouteHandlers<Intents, Input>>(
    input: Input,
    options: RouteOptions<Intents, Input, Handlers>,
  ): Promise<Routed<z.infer<Intents>, RouteResult<Handlers>>>;
  /** Orchestrator–workers: a planner's typed tasks, one typed worker per task type, one synthesized reply. */
  orchestrate<Tasks extends TaskUnion, Key extends string, Input, Result, Reply>(
    input: Input,
    options: OrchestrateOptions<Tasks, Key, Input, Result, Reply>,
  ): Promise<Orchestrated<z.infer<Tasks>, Result, Reply>>;
  /** Evaluator–optimizer: generate, evaluate, feed the critique back, until accepted or `maxRounds`. */
  evaluateOptimize<Candidate>(options: EvaluateOptimizeOptions<Candidate>): Promise<Optimized<Candidate>>;
}
