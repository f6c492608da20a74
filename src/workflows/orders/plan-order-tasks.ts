import type { Run } from '../../core/run.js';
import { OrderTask, PlannedOrderTaskList, TASK_FIELD_NAMES, type OrderQueryType } from './order-tasks.js';

const PLANNER_INSTRUCTIONS = [
  'You turn a customer message into a list of tasks for back-office workers.',
  'Task types: "Billing Inquiry" (needs invoice_number), "Product Return" (needs product_name and reason_for_return), "Status Update" (needs order_id).',
  'Emit one task per distinct request. Copy ids and product names exactly as written. Use null for a field the message does not give; never guess one.',
].join('\n');

/** The fields each task type needs; a planned task that leaves one null asks the customer for it. */
const REQUIRED_FIELDS = {
  'Billing Inquiry': ['invoice_number'],
  'Product Return': ['product_name', 'reason_for_return'],
  'Status Update': ['order_id'],
} as const satisfies Record<OrderQueryType, readonly (keyof typeof TASK_FIELD_NAMES)[]>;

/**
 * The order planner's prompt for a message. `handleOrderQuery` and `planOrderTasks` both plan
 * with it, so an evaluation sends the very prompt production sends.
 */
export function orderPlanPrompt(message: string): { system: string; prompt: string } {
  return { system: PLANNER_INSTRUCTIONS, prompt: `Customer message:\n${message}` };
}

/** One planned task, checked: ready for a worker, missing a detail the customer must give, or malformed. */
export type PlanItem =
  | { status: 'ready'; task: OrderTask }
  | { status: 'needs_info'; task: Record<string, unknown>; missing: string[] }
  | { status: 'invalid'; task: Record<string, unknown>; error: string };

/** What the planner made of one message. */
export interface PlannedOrderTasks {
  /** Every task as the planner emitted it (fields it left null dropped), valid or not, in its order. */
  planned: Record<string, unknown>[];
  /** The planned tasks that pass the strict task schema: the ones workers would run. */
  tasks: OrderTask[];
  /** The planned tasks that do not, and why (typically a missing id). */
  invalid: { task: Record<string, unknown>; error: string }[];
  /** Each planned task, checked, in the planner's order. */
  items: PlanItem[];
}

/**
 * The order orchestrator's planner step: the tasks a message turns into, each checked against the
 * strict task schema, without running a worker or writing a reply. `handleOrderQuery` plans with it,
 * and so does `braid eval orchestrate`, which therefore measures this very step.
 *
 * @example
 * const { tasks } = await planOrderTasks(run, 'Where is order A-12345?');
 * // [{ query_type: 'Status Update', order_id: 'A-12345' }]
 */
export async function planOrderTasks(run: Run, message: string): Promise<PlannedOrderTasks> {
  const { tasks: emitted } = await run.step({ name: 'plan', schema: PlannedOrderTaskList, ...orderPlanPrompt(message) });
  const planned = emitted.map(withoutNulls);
  const items = planned.map(checkPlannedTask);
  return {
    planned,
    items,
    tasks: items.flatMap((item) => (item.status === 'ready' ? [item.task] : [])),
    invalid: items.flatMap((item) =>
      item.status === 'ready' ? [] : [{ task: item.task, error: item.status === 'invalid' ? item.error : `missing ${item.missing.join(', ')}` }],
    ),
  };
}

/**
 * A task that passes the strict schema is ready; one whose type is known but whose needed fields the
 * message did not give needs the customer to give them (not a failure: the reply asks); anything
 * else is malformed and named with the schema's own words.
 */
function checkPlannedTask(task: Record<string, unknown>): PlanItem {
  const parsed = OrderTask.safeParse(task);
  if (parsed.success) return { status: 'ready', task: parsed.data };
  const type = task.query_type as OrderQueryType;
  const needed: readonly (keyof typeof TASK_FIELD_NAMES)[] = REQUIRED_FIELDS[type] ?? [];
  const missing = needed.filter((field) => typeof task[field] !== 'string' || (task[field] as string).trim() === '');
  const issues = parsed.error.issues.filter((issue) => !missing.includes(String(issue.path[0]) as keyof typeof TASK_FIELD_NAMES));
  if (missing.length > 0 && issues.length === 0) return { status: 'needs_info', task, missing };
  const error = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
  return { status: 'invalid', task, error };
}

function withoutNulls(task: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(task).filter(([, value]) => value !== null));
}
