import type { TaskOutcome } from '../../core/orchestrate.js';
import type { Run } from '../../core/run.js';
import type { OrderStore } from './order-store.js';
import { OrderTask } from './order-tasks.js';
import { runOrderTask, WorkerResult } from './order-workers.js';
import { orderPlanPrompt } from './plan-order-tasks.js';

export interface HandledOrderQuery {
  /** The planner's tasks: validated (unknown fields dropped), or as emitted when invalid. */
  tasks: Record<string, unknown>[];
  /** What each task's worker did, or why the task could not run. */
  results: (WorkerResult | { status: 'failed'; task: Record<string, unknown>; summary: string })[];
  response: string;
}

const SYNTHESIZER_INSTRUCTIONS = [
  'You write one reply to the customer from the results of the back-office tasks below.',
  'State only facts that appear in the results. If a record was not found, or a task failed, say so plainly and ask for the correct detail. Never invent numbers, dates or statuses.',
].join('\n');

/**
 * The order orchestrator: the planner emits typed tasks, the workers act on the order database
 * concurrently, and a synthesizer writes one reply from what really happened. Each worker's write
 * is an effect of the run: journaled, and made under the run's idempotency key, so a resumed run
 * never opens a second case or RMA for the same task.
 */
export async function handleOrderQuery(run: Run, message: string, store: OrderStore): Promise<HandledOrderQuery> {
  const act = (task: OrderTask, taskRun: Run): Promise<WorkerResult> =>
    taskRun.effect('act', ({ idempotencyKey }) => runOrderTask(task, store, { idempotencyKey }), { input: task, schema: WorkerResult });
  const { outcomes, reply } = await run.orchestrate<typeof OrderTask, 'query_type', string, WorkerResult, string>(message, {
    tasks: OrderTask,
    discriminator: 'query_type',
    plan: orderPlanPrompt, // shared with planOrderTasks, so `braid eval orchestrate` measures this very step
    workers: { 'Billing Inquiry': act, 'Product Return': act, 'Status Update': act },
    synthesize: (text, results, synthesizeRun) =>
      synthesizeRun.step({
        name: 'synthesize',
        system: SYNTHESIZER_INSTRUCTIONS,
        prompt: `Customer message:\n${text}\n\nTask results:\n${describeOutcomes(results)}`,
        maxOutputTokens: 500,
        noCache: true, // the results change with the database, so an old reply must not be reused
      }),
  });
  const results = outcomes.map((outcome) =>
    outcome.status === 'done' ? outcome.result : { status: 'failed' as const, task: outcome.task, summary: `the task could not run: ${outcome.error}` },
  );
  return { tasks: results.map((result) => result.task), results, response: reply.trim() };
}

function describeOutcomes(outcomes: readonly TaskOutcome<OrderTask, WorkerResult>[]): string {
  if (outcomes.length === 0) return '(no tasks: the message asked for nothing the workers handle)';
  return outcomes
    .map((outcome, index) =>
      outcome.status === 'done'
        ? `${index + 1}. [${outcome.result.status}] ${outcome.result.summary}`
        : `${index + 1}. [failed] ${JSON.stringify(outcome.task)}: ${outcome.error}`,
    )
    .join('\n');
}
