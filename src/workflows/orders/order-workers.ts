import { z } from 'zod';
import {
  Customer,
  Investigation,
  Invoice,
  NotCustomersRecordError,
  NotReturnableError,
  Order,
  Product,
  RecordNotFoundError,
  ReturnAuthorization,
  type OrderStore,
  type WriteOptions,
} from './order-store.js';
import {
  BillingInquiryTask,
  ProductReturnTask,
  StatusUpdateTask,
  type OrderQueryType,
  type OrderTask,
} from './order-tasks.js';

/**
 * The typed workers: pure code that runs one planned task against the order database for one
 * customer. Each result's `summary` is built from database rows only, so the synthesizer never has
 * to invent a fact, and a record of another customer's is refused without a word of what it holds.
 */

const Summary = z.string().describe('one factual sentence built from the database, for the reply writer');

/**
 * What became of a task that did not act:
 * - `not_found`: the id or name matched nothing;
 * - `refused`: the record is another customer's (or, for a return, none of the customer's orders holds the product);
 * - `declined`: the shop's policy says no (a gift card cannot be returned): a correct answer, not a failure;
 * - `needs_info`: the message lacks what the task needs (an id); the reply asks for it;
 * - `awaiting_approval`: the write waits for a person's approval (`requiresApproval`); the run waits with it;
 * - `rejected`: the write waited for approval and the approver said no;
 * - `failed`: it could not run (the database was locked, a bug).
 * Nothing is written unless the status is `done`.
 */
export const NOT_ACTED_STATUSES = ['not_found', 'refused', 'declined', 'needs_info', 'awaiting_approval', 'rejected', 'failed'] as const;
export type NotActedStatus = (typeof NOT_ACTED_STATUSES)[number];

function workerResultSchema<Task extends z.ZodType, Data extends z.ZodType>(task: Task, data: Data) {
  return z.discriminatedUnion('status', [
    z.object({ status: z.literal('done'), task, summary: Summary, data }),
    z.object({ status: z.enum(NOT_ACTED_STATUSES), task, summary: Summary }),
  ]);
}

export const BillingInquiryResult = workerResultSchema(
  BillingInquiryTask,
  z.object({ invoice: Invoice, investigation: Investigation }),
);
export type BillingInquiryResult = z.infer<typeof BillingInquiryResult>;

export const ProductReturnResult = workerResultSchema(
  ProductReturnTask,
  z.object({ product: Product, returnAuthorization: ReturnAuthorization }),
);
export type ProductReturnResult = z.infer<typeof ProductReturnResult>;

export const StatusUpdateResult = workerResultSchema(StatusUpdateTask, z.object({ order: Order }));
export type StatusUpdateResult = z.infer<typeof StatusUpdateResult>;

/** What any worker returns. */
export const WorkerResult = z.union([BillingInquiryResult, ProductReturnResult, StatusUpdateResult]);
export type WorkerResult = z.infer<typeof WorkerResult>;

/**
 * A write a task will make once nothing stops it: the records it acts on, read and checked against
 * the customer. What an approval rule looks at (`requiresApproval`).
 */
export const PlannedWrite = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('investigation'), task: BillingInquiryTask, customer: Customer, invoice: Invoice }),
  z.object({ kind: z.literal('return'), task: ProductReturnTask, customer: Customer, product: Product, order: Order }),
]);
export type PlannedWrite = z.infer<typeof PlannedWrite>;
type Ready<Kind extends PlannedWrite['kind']> = { status: 'ready'; write: Extract<PlannedWrite, { kind: Kind }> };

/** A task checked but not yet acted on: either its final result (a read, a refusal) or the write it would make. */
export const ReviewedTask = z.union([WorkerResult, z.object({ status: z.literal('ready'), write: PlannedWrite })]);
export type ReviewedTask = z.infer<typeof ReviewedTask>;

/** Whom a worker acts for, and the key its write is made under. */
export interface WorkerScope extends WriteOptions {
  /**
   * The customer of this message. Every record a task reads or writes must be theirs. Undefined
   * when the message resolved no customer: a task that needs one then asks for it (`needs_info`).
   */
  customer: Customer | undefined;
}

/** Each task kind's task type; indexing it with a kind it lacks is a compile error. */
export type OrderTaskByType = { [Type in OrderQueryType]: Extract<OrderTask, { query_type: Type }> };

/** Each task kind's result type. A new `query_type` fails to compile until it has a row here. */
export interface WorkerResultByType {
  'Billing Inquiry': BillingInquiryResult;
  'Product Return': ProductReturnResult;
  'Status Update': StatusUpdateResult;
}

/** One worker per task kind: leaving a `query_type` out is a compile error. */
export type OrderWorkers = {
  [Type in OrderQueryType]: (task: OrderTaskByType[Type], store: OrderStore, scope: WorkerScope) => WorkerResultByType[Type];
};

/**
 * Checks a task against the database and the customer without writing: a status update's answer,
 * a refusal, a policy decline, or the write the task would make.
 *
 * @example
 * reviewOrderTask({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'broken' }, store, maria);
 * // { status: 'ready', write: { kind: 'return', product: { sku: 'SW-5000', … }, order: { id: 'A-12345', … } } }
 */
export function reviewOrderTask(task: OrderTask, store: OrderStore, customer: Customer | undefined): ReviewedTask {
  switch (task.query_type) {
    case 'Billing Inquiry':
      return reviewBillingInquiry(task, store, customer);
    case 'Product Return':
      return reviewProductReturn(task, store, customer);
    case 'Status Update':
      return runStatusUpdate(task, store, { customer });
  }
}

function reviewBillingInquiry(task: BillingInquiryTask, store: OrderStore, customer: Customer | undefined): BillingInquiryResult | Ready<'investigation'> {
  const invoice = store.findInvoice(task.invoice_number);
  if (!invoice) return { status: 'not_found', task, summary: `No invoice ${quote(task.invoice_number)} exists; no investigation was opened.` };
  if (!customer) return { status: 'needs_info', task, summary: noCustomer(`invoice ${quote(task.invoice_number)}`) };
  if (!isCustomers(invoice.customerId, customer)) {
    return { status: 'refused', task, summary: `${notTheirs(`Invoice ${invoice.number}`, customer)}; nothing about it was read or changed.` };
  }
  return { status: 'ready', write: { kind: 'investigation', task, customer, invoice } };
}

function reviewProductReturn(task: ProductReturnTask, store: OrderStore, customer: Customer | undefined): ProductReturnResult | Ready<'return'> {
  const product = store.findProduct(task.product_name);
  if (!product) return { status: 'not_found', task, summary: `No product named ${quote(task.product_name)} is in the catalog; no return was created.` };
  // the policy is the catalog's, the same for everyone: saying it discloses nothing of anyone's
  if (!product.isReturnable) return declined(task, product);
  if (!customer) {
    return {
      status: 'needs_info',
      task,
      summary: `A return of ${product.name} needs the number of the order it came on, to know whose purchase it is; no return was created.`,
    };
  }
  const order = store.findOrderContaining(customer.id, product.sku);
  if (!order) return refusedReturn(task, product, customer);
  return { status: 'ready', write: { kind: 'return', task, customer, product, order } };
}

/**
 * Looks the invoice up and, when it is the customer's, opens an investigation on it. An unknown
 * invoice, or another customer's, writes nothing.
 *
 * @example
 * runBillingInquiry({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' }, store, { customer: maria }).summary;
 * // 'Invoice INV-7890 ($249.99, issued 2025-05-02, due 2025-06-01) is disputed; investigation CASE-000001 is now open on it.'
 */
export function runBillingInquiry(task: BillingInquiryTask, store: OrderStore, { customer: scopeCustomer, idempotencyKey }: WorkerScope): BillingInquiryResult {
  const reviewed = reviewBillingInquiry(task, store, scopeCustomer);
  if (reviewed.status !== 'ready') return reviewed;
  const { invoice, customer } = reviewed.write;
  let investigation: Investigation;
  try {
    investigation = store.openInvestigation(
      { invoiceNumber: invoice.number, note: `Customer billing inquiry about invoice ${invoice.number}.`, customerId: customer.id },
      { idempotencyKey },
    );
  } catch (error) {
    // the store checks again inside its transaction: another process may have changed the invoice
    if (error instanceof RecordNotFoundError) return { status: 'not_found', task, summary: `No invoice ${quote(task.invoice_number)} exists; no investigation was opened.` };
    if (error instanceof NotCustomersRecordError) {
      return { status: 'refused', task, summary: `${notTheirs(`Invoice ${invoice.number}`, customer)}; nothing about it was read or changed.` };
    }
    throw error;
  }
  return {
    status: 'done',
    task,
    summary:
      `Invoice ${invoice.number} (${formatMoney(invoice.amountCents, invoice.currency)}, issued ${invoice.issuedOn}, ` +
      `due ${invoice.dueOn}) is ${invoice.status}; investigation ${investigation.caseId} is now open on it.`,
    data: { invoice, investigation },
  };
}

/**
 * Checks the product is in the catalog, returnable, and on one of the customer's orders, then
 * issues an RMA against that order. Anything else writes nothing.
 *
 * @example
 * runProductReturn({ query_type: 'Product Return', product_name: 'superwidget 5000', reason_for_return: 'arrived cracked' }, store, { customer: maria }).summary;
 * // 'Return of SuperWidget 5000 (SKU SW-5000) from order A-12345 is authorized under RMA-000001; policy: returnable within 30 days of delivery.'
 */
export function runProductReturn(task: ProductReturnTask, store: OrderStore, { customer: scopeCustomer, idempotencyKey }: WorkerScope): ProductReturnResult {
  const reviewed = reviewProductReturn(task, store, scopeCustomer);
  if (reviewed.status !== 'ready') return reviewed;
  const { product, customer } = reviewed.write;
  let returnAuthorization: ReturnAuthorization;
  try {
    returnAuthorization = store.createReturn({ productName: product.name, reason: task.reason_for_return, customerId: customer.id }, { idempotencyKey });
  } catch (error) {
    // the store checks again inside its transaction: another process may have changed the catalog
    if (error instanceof RecordNotFoundError) return { status: 'not_found', task, summary: `No product named ${quote(task.product_name)} is in the catalog; no return was created.` };
    if (error instanceof NotReturnableError) return declined(task, error.product);
    if (error instanceof NotCustomersRecordError) return refusedReturn(task, product, customer);
    throw error;
  }
  return {
    status: 'done',
    task,
    summary:
      `Return of ${product.name} (SKU ${product.sku}) from order ${returnAuthorization.orderId} is authorized under ` +
      `${returnAuthorization.rmaNumber}; policy: ${product.returnPolicy}.`,
    data: { product, returnAuthorization },
  };
}

/**
 * Reads the order's real status, carrier and dates, when the order is the customer's.
 *
 * @example
 * runStatusUpdate({ query_type: 'Status Update', order_id: 'a-12345' }, store, { customer: maria }).summary;
 * // 'Order A-12345 is shipped: placed on 2025-05-01; shipped on 2025-05-03; carrier UPS; tracking number 1Z999AA10123456784; estimated delivery 2025-05-08.'
 */
export function runStatusUpdate(task: StatusUpdateTask, store: OrderStore, { customer }: WorkerScope): StatusUpdateResult {
  const order = store.findOrder(task.order_id);
  if (!order) return { status: 'not_found', task, summary: `No order ${quote(task.order_id)} exists.` };
  if (!customer) return { status: 'needs_info', task, summary: noCustomer(`order ${quote(task.order_id)}`) };
  if (!isCustomers(order.customerId, customer)) return { status: 'refused', task, summary: `${notTheirs(`Order ${order.id}`, customer)}; its status was not disclosed.` };
  return { status: 'done', task, summary: describeOrder(order), data: { order } };
}

/** The dispatch table; `OrderWorkers` makes a missing kind a compile error. */
const orderWorkers: OrderWorkers = {
  'Billing Inquiry': runBillingInquiry,
  'Product Return': runProductReturn,
  'Status Update': runStatusUpdate,
};

/**
 * Runs one task for one customer with the worker for its `query_type`. A database error (a lock
 * held past the busy timeout, a full disk) becomes a `failed` result, so one task cannot sink its
 * siblings; its transaction was rolled back, so nothing was written. Any other error is a bug and
 * is thrown. Writes carry `scope.idempotencyKey`, so running the same task again under it writes nothing new.
 *
 * @example
 * const results = tasks.map((task, index) => runOrderTask(task, store, { customer, idempotencyKey: `${runId}:task-${index}` }));
 */
export function runOrderTask<Type extends OrderQueryType>(
  task: OrderTaskByType[Type] & { query_type: Type },
  store: OrderStore,
  scope: WorkerScope,
): WorkerResultByType[Type] {
  const worker: OrderWorkers[Type] = orderWorkers[task.query_type];
  try {
    return worker(task, store, scope);
  } catch (error) {
    if (!isDatabaseError(error)) throw error;
    const failed = {
      status: 'failed' as const,
      task,
      summary: `The order database could not run this task (${error.message}); nothing was changed.`,
    };
    // every result type has this failed shape for its own task; TS cannot see that through the generic
    return failed as unknown as WorkerResultByType[Type];
  }
}

function declined(task: ProductReturnTask, product: Product): ProductReturnResult {
  return { status: 'declined', task, summary: `${product.name} (SKU ${product.sku}) cannot be returned: ${product.returnPolicy}. No return was created.` };
}

function refusedReturn(task: ProductReturnTask, product: Product, customer: Customer): ProductReturnResult {
  return {
    status: 'refused',
    task,
    summary: `No order of ${customer.name} (${customer.id}) that was not cancelled contains ${product.name}; no return was created.`,
  };
}

/** The refusal names the record the customer gave and nothing it holds: not its amount, not its owner. */
function notTheirs(record: string, customer: Customer): string {
  return `${record} is not on the account of ${customer.name} (${customer.id}), for whom this message is handled`;
}

function noCustomer(record: string): string {
  return `No customer could be established for this message, so ${record} was not looked into; the customer must say which account it is.`;
}

/** Customer ids compare as the database stores them (case-insensitive). */
function isCustomers(customerId: string, customer: Customer): boolean {
  return customerId.toLowerCase() === customer.id.toLowerCase();
}

/** node:sqlite tags SQLite's own failures (busy, locked, I/O, constraint) with this code. */
function isDatabaseError(error: unknown): error is Error & { code: 'ERR_SQLITE_ERROR' } {
  return error instanceof Error && 'code' in error && error.code === 'ERR_SQLITE_ERROR';
}

/** Every clause comes from a column; an empty column drops its clause, so a missing date never reads as "null". */
function describeOrder(order: Order): string {
  const isOnItsWay = order.status === 'processing' || order.status === 'shipped';
  const clauses = [
    `placed on ${order.placedOn}`,
    order.shippedOn ? `shipped on ${order.shippedOn}` : 'not shipped',
    order.deliveredOn && `delivered on ${order.deliveredOn}`,
    order.carrier && `carrier ${order.carrier}`,
    order.trackingNumber && `tracking number ${order.trackingNumber}`,
    isOnItsWay && order.estimatedDelivery && `estimated delivery ${order.estimatedDelivery}`,
  ].filter((clause): clause is string => typeof clause === 'string' && clause.length > 0);
  return `Order ${order.id} is ${order.status}: ${clauses.join('; ')}.`;
}

/** Money as the reply should write it, e.g. `$249.99`; the reply check reads amounts back in this and other forms. */
export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
}

/** The customer's own text, quoted, so the reply writer sees it as a value and not as a fact. */
function quote(text: string): string {
  return JSON.stringify(text.trim());
}
