import type { Run } from '../../core/run.js';
import { OrderTask } from './order-tasks.js';

const PLANNER_INSTRUCTIONS = [
  'You turn a customer message into a list of tasks for back-office workers.',
  'Task types: "Billing Inquiry" (needs invoice_number), "Product Return" (needs product_name and reason_for_return), "Status Update" (needs order_id).',
  'Emit one task per distinct request. Copy ids and product names exactly as written. Use null for a field the message does not give; never guess one.',
].join('\n');

/**
 * The order planner's prompt for a message. `handleOrderQuery` and `planOrderTasks` both plan
 * with it, so an evaluation sends the very prompt production sends.
 */
export function orderPlanPrompt(message: string): { system: string; prompt: string } {
  return { system: PLANNER_INSTRUCTIONS, prompt: `Customer message:\n${message}` };
}

/** What the planner made of one message. */
export interface PlannedOrderTasks {
  /** Every task as the planner emitted it (fields it left null dropped), valid or not, in its order. */
  planned: Record<string, unknown>[];
  /** The planned tasks that pass the strict task schema: the ones workers would run. */
  tasks: OrderTask[];
  /** The planned tasks that do not, and why (typically a missing id). */
  invalid: { task: Record<string, unknown>; error: string }[];
}

/**
 * The order orchestrator's planner step alone: the tasks a message turns into, without running a
 * worker or writing a reply. For measuring the planner (`braid eval orchestrate`).
 *
 * @example
 * const { tasks } = await planOrderTasks(run, 'Where is order A-12345?');
 * // [{ query_type: 'Status Update', order_id: 'A-12345' }]
 */
export async function planOrderTasks(run: Run, message: string): Promise<PlannedOrderTasks> {
  // the real orchestrate with workers that hand each task back and a synthesizer that calls no
  // model: the plan step (prompt, schema, repairs, validation) is exactly handleOrderQuery's, and
  // nothing touches the order database
  const handBack = async (task: OrderTask): Promise<OrderTask> => task;
  const { planned, outcomes } = await run.orchestrate<typeof OrderTask, 'query_type', string, OrderTask, undefined>(message, {
    tasks: OrderTask,
    discriminator: 'query_type',
    plan: orderPlanPrompt,
    workers: { 'Billing Inquiry': handBack, 'Product Return': handBack, 'Status Update': handBack },
    synthesize: async () => undefined,
  });
  return {
    planned,
    tasks: outcomes.flatMap((outcome) => (outcome.status === 'done' ? [outcome.result] : [])),
    invalid: outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [{ task: outcome.task, error: outcome.error }] : [])),
  };
}
