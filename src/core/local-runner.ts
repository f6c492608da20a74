import type { BatchRunner, BatchRunOptions, BatchWorkflow } from './batch-workflow.js';
import { InvalidWorkflowInputError, InvalidWorkflowOutputError } from './batch-workflow-errors.js';
import type { Settled } from './parallel.js';
import type { Run } from './run.js';
import { RunWaitingError } from './errors.js';

export interface LocalRunnerOptions {
  /** Items running at once. The runtime's provider limiter, not this, paces the calls. @default 16 */
  concurrency?: number;
}

/**
 * A runner that runs every item in this process, in `run`: one scope named after the workflow, one
 * `item[n]` scope per item, so traces, the journal and `resume` see the structure. Inputs are
 * checked against the workflow's schema before anything starts, outputs as each item ends.
 *
 * @example
 * const runner = createLocalRunner(runtime, { concurrency: 8 });
 * const results = await runner.run(summarize, texts.map((text) => ({ text })));
 */
export function createLocalRunner(run: Run, { concurrency = 16 }: LocalRunnerOptions = {}): BatchRunner {
  return {
    async run<Input, Output>(
      workflow: BatchWorkflow<Input, Output>,
      items: readonly Input[],
      { signal, onProgress, onResult, keepResults = true }: BatchRunOptions = {},
    ): Promise<Settled<Output>[]> {
      // the same check a distributed runner makes before it enqueues: a bad item fails the batch at once
      items.forEach((item, index) => {
        const parsed = workflow.input.safeParse(item);
        if (!parsed.success) throw new InvalidWorkflowInputError(workflow.name, index, { cause: parsed.error });
      });
      const progress = { total: items.length, completed: 0, failed: 0 };
      const runOne = async (item: Input, itemRun: Run, index: number): Promise<Output> => {
        try {
          // parsed again as it runs, not kept from the check: a big batch holds one copy of its items
          const parsed = workflow.output.safeParse(await workflow.run(itemRun, workflow.input.parse(item)));
          if (!parsed.success) throw new InvalidWorkflowOutputError(workflow.name, { cause: parsed.error });
          progress.completed += 1;
          onResult?.(index, { ok: true, value: parsed.data });
          return keepResults ? parsed.data : (undefined as Output);
        } catch (error) {
          // a waiting item has not settled: it goes on when the run is resumed
          if (!(error instanceof RunWaitingError)) {
            progress.failed += 1;
            onResult?.(index, { ok: false, error });
          }
          throw error;
        } finally {
          onProgress?.({ ...progress });
        }
      };
      const label = workflow.label;
      return run.group(workflow.name, (batch) =>
        batch.parallel(items, runOne, { concurrency, signal, name: 'item', ...(label ? { label: (item: Input) => label(item) } : {}) }),
      );
    },
  };
}
