import type { LanguageModel } from 'ai';
import type { AnyBatchWorkflow } from '../core/batch-workflow.js';
import { InvalidWorkflowInputError, InvalidWorkflowOutputError } from '../core/batch-workflow-errors.js';
import type { RetryPolicy } from '../core/backoff.js';
import type { LimiterRegistry } from '../core/limiter-registry.js';
import { createRuntime } from '../core/runtime.js';
import { RunWaitingError } from '../core/errors.js';
import type { Span } from '../core/span.js';
import type { WaitJournal } from '../core/wait-journal.js';
import { itemRunId } from './batch-keys.js';
import { UnknownWorkflowError, WorkerModelMismatchError } from './distributed-errors.js';
import { ItemSummary, type ItemJobData, type ItemJobResult } from './job-payloads.js';
import type { RedisStepJournal } from './redis-step-journal.js';

export interface RunItemOptions {
  /** The workflows this worker runs, by name. */
  workflows: ReadonlyMap<string, AnyBatchWorkflow>;
  model: LanguageModel;
  /** The spec of `model`, compared with the one a batch asks for. */
  modelSpec: string;
  /** This worker's name, for the model mismatch message. */
  workerName: string;
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
  /** Receives the run's spans once it has ended, failed or not. */
  onSpans?: (spans: readonly Span[]) => Promise<void>;
}

/**
 * Runs one item's workflow, found by name, exactly as the local runner does, in a runtime of its
 * own whose run id is the batch id plus the item's index: an attempt on any machine replays the
 * steps an earlier attempt journaled. Resolves once the journal holds every step.
 *
 * Nothing in the job is trusted: an unknown workflow (`UnknownWorkflowError`), another model than
 * this worker's (`WorkerModelMismatchError`) or an input its schema refuses (`InvalidWorkflowInputError`)
 * fails before any step runs. Otherwise it throws what the workflow threw, and `RunWaitingError`
 * when the item stopped at waits (its journal flushed, to go on later).
 *
 * @example
 * const result = await runItem(ItemJobData.parse(job.data), { workflows, model, modelSpec, workerName, limiters, journal, signal });
 */
export async function runItem(
  data: ItemJobData,
  { workflows, model, modelSpec, workerName, limiters, journal, waits, signal, timeoutMs = 60_000, retry, onSpans = async () => {} }: RunItemOptions,
): Promise<ItemJobResult> {
  const workflow = workflows.get(data.kind);
  if (!workflow) throw new UnknownWorkflowError(data.kind, [...workflows.keys()]);
  if (data.model !== undefined && data.model !== modelSpec) throw new WorkerModelMismatchError(data.model, [{ name: workerName, model: modelSpec }]);
  const input = workflow.input.safeParse(data.input);
  if (!input.success) throw new InvalidWorkflowInputError(workflow.name, data.index, { cause: input.error });

  const runId = itemRunId(data.batchId, data.index);
  await journal.load(runId);
  const braid = createRuntime({ model, limiters, journal, waits, runId, signal, timeoutMs, retry, name: workflow.name });
  try {
    const output = workflow.output.safeParse(await braid.group(workflow.name, (run) => workflow.run(run, input.data)));
    if (!output.success) throw new InvalidWorkflowOutputError(workflow.name, { cause: output.error });
    await journal.flush(runId);
    const summary = ItemSummary.parse(braid.finish('ok'));
    await onSpans(braid.spans()).catch(() => {}); // the timeline is a view: losing it must not fail a paid item
    return { kind: workflow.name, output: output.data, summary };
  } catch (error) {
    braid.finish(braid.signal.aborted ? 'cancelled' : error instanceof RunWaitingError ? 'waiting' : 'error');
    await onSpans(braid.spans()).catch(() => {});
    // what was journaled before the failure is what the next attempt will not pay for again
    await journal.flush(runId).catch(() => {});
    throw error;
  } finally {
    journal.forget(runId);
  }
}
