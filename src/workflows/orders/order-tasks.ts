import { z } from 'zod';

/**
 * The planner's output: typed tasks the workers run against the order database. These schemas are
 * the single source of truth; their `.describe()` texts and bounds reach the model as JSON schema.
 * Bounds keep a weak model from writing one string until the token limit.
 */
const IDENTIFIER_MAX = 40;
const PRODUCT_NAME_MAX = 120;
const REASON_MAX = 500;
const TASKS_MAX = 10;

/** The customer asks about a charge or an invoice: the billing worker opens an investigation. */
export const BillingInquiryTask = z
  .object({
    query_type: z.literal('Billing Inquiry'),
    invoice_number: z
      .string()
      .trim()
      .min(1)
      .max(IDENTIFIER_MAX)
      .describe('the invoice number exactly as the customer wrote it, e.g. "INV-7890"'),
  })
  .describe('a question or complaint about one invoice or charge');
export type BillingInquiryTask = z.infer<typeof BillingInquiryTask>;

/** The customer wants to send a product back: the return worker issues an RMA. */
export const ProductReturnTask = z
  .object({
    query_type: z.literal('Product Return'),
    product_name: z
      .string()
      .trim()
      .min(1)
      .max(PRODUCT_NAME_MAX)
      .describe('the name of the product to return, as the customer wrote it, e.g. "SuperWidget 5000"'),
    reason_for_return: z
      .string()
      .trim()
      .min(1)
      .max(REASON_MAX)
      .describe('why the customer returns it, in one short sentence taken from their message'),
  })
  .describe('a request to return one product');
export type ProductReturnTask = z.infer<typeof ProductReturnTask>;

/** The customer asks where an order is: the status worker reads it. */
export const StatusUpdateTask = z
  .object({
    query_type: z.literal('Status Update'),
    order_id: z
      .string()
      .trim()
      .min(1)
      .max(IDENTIFIER_MAX)
      .describe('the order id exactly as the customer wrote it, e.g. "A-12345"'),
  })
  .describe('a question about where one order is or when it arrives');
export type StatusUpdateTask = z.infer<typeof StatusUpdateTask>;

/**
 * One task, told apart by `query_type`.
 *
 * @example
 * OrderTask.parse({ query_type: 'Status Update', order_id: 'A-12345' });
 */
export const OrderTask = z.discriminatedUnion('query_type', [BillingInquiryTask, ProductReturnTask, StatusUpdateTask]);
export type OrderTask = z.infer<typeof OrderTask>;

/** The names of the task kinds: `'Billing Inquiry' | 'Product Return' | 'Status Update'`. */
export type OrderQueryType = OrderTask['query_type'];

/** The field that names the record each kind of task acts on, checked against the kind's schema. */
export const TASK_ID_FIELDS = {
  'Billing Inquiry': 'invoice_number',
  'Product Return': 'product_name',
  'Status Update': 'order_id',
} as const satisfies { [Type in OrderQueryType]: keyof Extract<OrderTask, { query_type: Type }> };

/** A task, or a label of one, of any kind: what `idOfTask` reads. */
type TaskNamingRecord =
  | { query_type: 'Billing Inquiry'; invoice_number: string | null }
  | { query_type: 'Product Return'; product_name: string | null }
  | { query_type: 'Status Update'; order_id: string | null };

/**
 * The record a task is about: its invoice number, product name or order id.
 *
 * @example
 * idOfTask({ query_type: 'Status Update', order_id: 'A-12345' }); // 'A-12345'
 */
export function idOfTask(task: TaskNamingRecord): string | null {
  // every kind has the field TASK_ID_FIELDS names for it (the map is checked against the schemas)
  return (task as Record<string, string | null>)[TASK_ID_FIELDS[task.query_type]] ?? null;
}

/**
 * Everything the customer's message asks for, one task per request.
 *
 * @example
 * const { tasks } = OrderTaskList.parse(plannerOutput);
 */
export const OrderTaskList = z.object({
  tasks: z
    .array(OrderTask)
    .max(TASKS_MAX)
    .describe('one task per distinct request in the message, in the order the customer made them; empty if there is none'),
});
export type OrderTaskList = z.infer<typeof OrderTaskList>;

/**
 * One task as the planner emits it: the task type and every field of every type, each nullable, so
 * a model that cannot fill a field can say so instead of guessing. Each planned task is then checked
 * against the strict `OrderTask`; one that lacks a field becomes a question to the customer.
 */
export const PlannedOrderTask = z.object({
  query_type: z.enum(['Billing Inquiry', 'Product Return', 'Status Update']),
  invoice_number: BillingInquiryTask.shape.invoice_number.nullable(),
  product_name: ProductReturnTask.shape.product_name.nullable(),
  reason_for_return: ProductReturnTask.shape.reason_for_return.nullable(),
  order_id: StatusUpdateTask.shape.order_id.nullable(),
});
export type PlannedOrderTask = z.infer<typeof PlannedOrderTask>;

/** The planner's output. */
export const PlannedOrderTaskList = z.object({ tasks: z.array(PlannedOrderTask).max(TASKS_MAX) });

/** Each field a task needs, as the reply should ask for it. */
export const TASK_FIELD_NAMES: Record<Exclude<keyof PlannedOrderTask, 'query_type'>, string> = {
  invoice_number: 'the invoice number',
  product_name: 'the name of the product',
  reason_for_return: 'why it is being returned',
  order_id: 'the order number',
};
