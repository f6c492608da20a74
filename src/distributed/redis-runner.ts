import type { BatchRunner, BatchRunOptions, BatchWorkflow } from '../core/batch-workflow.js';
import { InvalidWorkflowInputError } from '../core/batch-workflow-errors.js';
import type { Settled } from '../core/parallel.js';
import type { RunSummary } from '../core/run-summary.js';
import { itemJobId } from './batch-keys.js';
import { combineSummaries } from './combine-summaries.js';
import { InvalidJobResultError, ItemFailedError } from './distributed-errors.js';
import { runDistributed, type BatchProgress, type RunDistributedOptions } from './run-distributed.js';

export type RedisRunnerOptions = Pick<
  RunDistributedOptions,
  'connection' | 'attempts' | 'backoffMs' | 'keepJobsForMs' | 'pollIntervalMs' | 'prefix' | 'connectTimeoutMs' | 'onRedisError'
>;

export interface RedisRunOptions extends BatchRunOptions<BatchProgress>, Pick<RunDistributedOptions, 'model' | 'command'> {
  /**
   * Names the batch: the same id with the same items enqueues nothing new and collects the same
   * batch (once it is done, its items that failed for good are enqueued again); with other items
   * it is refused. @default a random id
   */
  batchId?: string;
}

/** A distributed batch's outcome: each item's, in input order, and what the items' runs did together. */
export interface RedisBatchRun<Output> {
  batchId: string;
  /** Items of an earlier run of this batch id that had failed for good and were enqueued again. */
  requeued: number;
  /** A failed item's error is an `ItemFailedError` (the workers' last error) or an `InvalidJobResultError`. */
  results: Settled<Output>[];
  /** The items' summaries combined; items that failed for good are not in it. */
  summary: RunSummary;
  wallMs: number;
}

export interface RedisRunner extends BatchRunner<BatchProgress> {
  run<Input, Output>(workflow: BatchWorkflow<Input, Output>, items: readonly Input[], options?: RedisRunOptions): Promise<Settled<Output>[]>;
  /** `run`, plus the batch's id and combined summary. */
  runBatch<Input, Output>(workflow: BatchWorkflow<Input, Output>, items: readonly Input[], options?: RedisRunOptions): Promise<RedisBatchRun<Output>>;
}

/**
 * A runner that runs every item on the workers serving a Redis: it checks each input against the
 * workflow's schema, enqueues the batch as one flow of jobs carrying the workflow's name, and
 * collects the outputs in input order, each checked against the output schema (results come back
 * through Redis). Workers must serve the workflow: `startWorker({ workflows: [workflow] })`.
 * Aborting the signal stops the waiting; the items keep running on the workers, and the same
 * `batchId` collects them later.
 *
 * @example
 * const runner = createRedisRunner({ connection: process.env.BRAID_REDIS_URL! });
 * const results = await runner.run(summarize, texts.map((text) => ({ text })));
 */
export function createRedisRunner({ connection, attempts, backoffMs, keepJobsForMs, pollIntervalMs, prefix, connectTimeoutMs, onRedisError }: RedisRunnerOptions): RedisRunner {
  async function runBatch<Input, Output>(
    workflow: BatchWorkflow<Input, Output>,
    items: readonly Input[],
    { signal, onProgress, batchId, model, command }: RedisRunOptions = {},
  ): Promise<RedisBatchRun<Output>> {
    // checked here, so a bad item fails the producer at once instead of a worker later
    const inputs = items.map((item, index) => {
      const parsed = workflow.input.safeParse(item);
      if (!parsed.success) throw new InvalidWorkflowInputError(workflow.name, index, { cause: parsed.error });
      return parsed.data;
    });
    const run = await runDistributed({
      connection,
      kind: workflow.name,
      items: inputs,
      batchId,
      attempts,
      backoffMs,
      keepJobsForMs,
      pollIntervalMs,
      prefix,
      connectTimeoutMs,
      onRedisError,
      model,
      command,
      signal,
      onProgress,
    });
    const results = run.results.map((outcome, index): Settled<Output> => {
      if (!outcome.ok) return { ok: false, error: new ItemFailedError(outcome.error, outcome.attempts) };
      const output = workflow.output.safeParse(outcome.value.output);
      return output.success ? { ok: true, value: output.data } : { ok: false, error: new InvalidJobResultError(itemJobId(run.batchId, index), { cause: output.error }) };
    });
    const summaries = run.results.flatMap((outcome) => (outcome.ok ? [outcome.value.summary] : []));
    return { batchId: run.batchId, requeued: run.requeued, results, summary: combineSummaries(run.batchId, summaries, run.wallMs), wallMs: run.wallMs };
  }

  return {
    runBatch,
    async run(workflow, items, options) {
      return (await runBatch(workflow, items, options)).results;
    },
  };
}
