import type { z } from 'zod';
import type { Settled } from './parallel.js';
import type { Run } from './run.js';

/**
 * A named unit of per-item work whose input and output are described by schemas, so an item can
 * cross a process boundary: a runner in this process calls `run` directly, a distributed runner
 * sends the name and the validated input to a worker that knows the same definition.
 */
export interface BatchWorkflow<Input, Output> {
  /** Finds the definition on a worker; also names the item groups in traces and journal keys. */
  readonly name: string;
  readonly input: z.ZodType<Input>;
  readonly output: z.ZodType<Output>;
  /** Runs one item in its own scope of the run. */
  run(run: Run, input: Input): Promise<Output>;
  /** What an item is (a title, a query's first words), shown in the timeline. */
  readonly label?: (input: Input) => string;
}

/** A workflow of any types: what a registry of workflows holds (its schemas check what goes in and out). */
export type AnyBatchWorkflow = BatchWorkflow<any, any>;

export interface BatchWorkflowDefinition<InputSchema extends z.ZodType, OutputSchema extends z.ZodType> {
  name: string;
  input: InputSchema;
  output: OutputSchema;
  run: (run: Run, input: z.output<InputSchema>) => Promise<z.input<OutputSchema>>;
  /** What an item is (a title, a query's first words), shown in the timeline. */
  label?: (input: z.output<InputSchema>) => string;
}

/** How far a batch is, in items, whichever runner runs it. */
export interface BatchRunProgress {
  total: number;
  /** Items done, successfully. */
  completed: number;
  /** Items failed for good. */
  failed: number;
}

export interface BatchRunOptions<Progress extends BatchRunProgress = BatchRunProgress> {
  /** Stops the batch: a local runner starts no new item and cancels those in flight, a distributed one stops waiting. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Each item's outcome as soon as it settles (in any order), so a caller can stream results instead of holding them. */
  onResult?: (index: number, result: Settled<unknown>) => void;
  /**
   * `false`: values are handed to `onResult` only, and the results returned carry none (`value` is
   * undefined), so a batch of 100,000 items holds no answer it has already handed on. @default true
   */
  keepResults?: boolean;
}

/**
 * Runs a workflow over items, wherever its runner runs them, and settles each item on its own.
 * Results come back in input order.
 */
export interface BatchRunner<Progress extends BatchRunProgress = BatchRunProgress> {
  run<Input, Output>(workflow: BatchWorkflow<Input, Output>, items: readonly Input[], options?: BatchRunOptions<Progress>): Promise<Settled<Output>[]>;
}

const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Defines a batch workflow once, for every runner: the same definition runs in this process
 * (`createLocalRunner`) or on workers (`createRedisRunner` with `startWorker({ workflows })`).
 *
 * @example
 * const summarize = defineBatchWorkflow({
 *   name: 'summarize',
 *   input: z.object({ text: z.string() }),
 *   output: z.object({ summary: z.string() }),
 *   run: async (run, { text }) => ({ summary: await run.step({ name: 'summary', prompt: `Summarize: ${text}` }) }),
 * });
 * const results = await createLocalRunner(runtime).run(summarize, [{ text: 'one' }, { text: 'two' }]);
 */
export function defineBatchWorkflow<InputSchema extends z.ZodType, OutputSchema extends z.ZodType>({
  name,
  input,
  output,
  run,
  label,
}: BatchWorkflowDefinition<InputSchema, OutputSchema>): BatchWorkflow<z.output<InputSchema>, z.output<OutputSchema>> {
  // the name travels as a job name and a Redis key part: keep it plain
  if (!WORKFLOW_NAME.test(name)) throw new TypeError(`a workflow name is letters, digits, '.', '_' or '-', at most 64 characters, not "${name}"`);
  return {
    name,
    input: input as z.ZodType<z.output<InputSchema>>,
    output: output as z.ZodType<z.output<OutputSchema>>,
    // what run returns is parsed by the runner, so an input-typed output is fine here
    run: run as (run: Run, input: z.output<InputSchema>) => Promise<z.output<OutputSchema>>,
    ...(label ? { label } : {}),
  };
}
