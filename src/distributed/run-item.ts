import type { LanguageModel } from 'ai';
import type { AnyBatchWorkflow } from '../core/batch-workflow.js';
import { InvalidWorkflowInputError, InvalidWorkflowOutputError } from '../core/batch-workflow-errors.js';
import type { RetryPolicy } from '../core/backoff.js';
import type { LimiterRegistry } from '../core/limiter-registry.js';
import { RunWaitingError } from '../core/errors.js';
import { createRuntime } from '../core/runtime.js';
import type { WaitJournal } from '../core/wait-journal.js';
import { itemRunId } from './batch-keys.js';
import { UnknownWorkflowError } from './distributed-errors.js';
import { ItemSummary, type ItemJobData, type ItemJobResult } from './job-payloads.js';
import type { RedisStepJournal } from './redis-step-journal.js';

export interface RunItemOptions {
  /** The workflows this worker runs, by name. */
  workflows: ReadonlyMap<string, AnyBatchWorkflow>;
  model: LanguageModel;
  /** The shared (Redis) limiters: every item of every worker draws from one budget. */
  limiters: LimiterRegistry;
  journal: RedisStepJournal;
  /** Where the item's waits (`waitFor`, `sleep`) and their answers are kept; without it, an item cannot wait. */
  waits?: WaitJournal;
  /** Cancels the item's run: shutdown, or BullMQ cancelling the job. */
  signal?: AbortSignal;
  /** @default 60_000 */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/**
 * Runs one item's workflow, found by name, exactly as the local runner does, in a runtime of its
 * own whose run id is the batch id plus the item's index: an attempt on any machine replays the
 * steps an earlier attempt journaled. Resolves once the journal holds every step; throws what the
 * workflow threw, `UnknownWorkflowError` or `InvalidWorkflowInputError` for a job it cannot run,
 * and `RunWaitingError` when the item stopped at waits (its journal flushed, to go on later).
 *
 * @example
 * const result = await runItem(ItemJobData.parse(job.data), { workflows, model, limiters, journal, signal });
 */
export async function runItem(
  data: ItemJobData,
  { workflows, model, limiters, journal, waits, signal, timeoutMs = 60_000, retry }: RunItemOptions,
): Promise<ItemJobResult> {
  const workflow = workflows.get(data.kind);
  if (!workflow) throw new UnknownWorkflowError(data.kind, [...workflows.keys()]);
  const input = workflow.input.safeParse(data.input);
  if (!input.success) throw new InvalidWorkflowInputError(workflow.name, data.index, { cause: input.error });

  const runId = itemRunId(data.batchId, data.index);
  await journal.load(runId);
  const braid = createRuntime({ model, limiters, journal, waits, runId, signal, timeoutMs, retry, name: workflow.name });
  try {
    const output = workflow.output.safeParse(await braid.group(workflow.name, (run) => workflow.run(run, input.data)));
    if (!output.success) throw new InvalidWorkflowOutputError(workflow.name, { cause: output.error });
    await journal.flush(runId);
    return { kind: workflow.name, output: output.data, summary: ItemSummary.parse(braid.finish('ok')) };
  } catch (error) {
    braid.finish(braid.signal.aborted ? 'cancelled' : error instanceof RunWaitingError ? 'waiting' : 'error');
    // what was journaled before the failure is what the next attempt will not pay for again
    await journal.flush(runId).catch(() => {});
    throw error;
  } finally {
    journal.forget(runId);
  }
}
