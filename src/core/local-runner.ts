import type { BatchRunner, BatchRunOptions, BatchWorkflow } from './batch-workflow.js';
import { InvalidWorkflowInputError, InvalidWorkflowOutputError } from './batch-workflow-errors.js';
import { parallel, type Settled } from './parallel.js';
import type { Runtime } from './runtime.js';

export interface LocalRunnerOptions {
  /** Items running at once. The runtime's provider limiter, not this, paces the calls. @default 16 */
  concurrency?: number;
}

/**
 * A runner that runs every item in this process, in `braid`'s run: one group named after the
 * workflow, one `item[n]` group per item, so traces, the journal and `resume` see the structure.
 * Inputs are checked against the workflow's schema before anything starts, outputs as each item ends.
 *
 * @example
 * const runner = createLocalRunner(braid, { concurrency: 8 });
 * const results = await runner.run(routeQueryWorkflow, queries.map((query) => ({ query, config })));
 */
export function createLocalRunner(braid: Runtime, { concurrency = 16 }: LocalRunnerOptions = {}): BatchRunner {
  return {
    async run<Input, Output>(workflow: BatchWorkflow<Input, Output>, items: readonly Input[], { signal, onProgress }: BatchRunOptions = {}): Promise<Settled<Output>[]> {
      // the same check a distributed runner makes before it enqueues: a bad item fails the batch at once
      const inputs = items.map((item, index) => {
        const parsed = workflow.input.safeParse(item);
        if (!parsed.success) throw new InvalidWorkflowInputError(workflow.name, index, { cause: parsed.error });
        return parsed.data;
      });
      const itemSignal = signal ? AbortSignal.any([signal, braid.signal]) : braid.signal;
      const progress = { total: inputs.length, completed: 0, failed: 0 };
      const runOne = async (input: Input): Promise<Output> => {
        try {
          const parsed = workflow.output.safeParse(await workflow.run(braid, input));
          if (!parsed.success) throw new InvalidWorkflowOutputError(workflow.name, { cause: parsed.error });
          progress.completed += 1;
          return parsed.data;
        } catch (error) {
          progress.failed += 1;
          throw error;
        } finally {
          onProgress?.({ ...progress });
        }
      };
      return braid.run(workflow.name, () => parallel(inputs, runOne, { concurrency, signal: itemSignal, name: 'item' }));
    },
  };
}
