import { z } from 'zod';
import {
  Investigation,
  Invoice,
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
 * The typed workers: pure code that runs one planned task against the order database. Each
 * result's `summary` is built from database rows only, so the synthesizer never has to invent a fact.
 */

const Summary = z.string().describe('one factual sentence built from the database, for the reply writer');

/** done: the task ran and `data` holds the rows; not_found: the id or name matched nothing; failed: it could not run. Nothing is written unless done. */
function workerResultSchema<Task extends z.ZodType, Data extends z.ZodType>(task: Task, data: Data) {
  return z.discriminatedUnion('status', [
    z.object({ status: z.literal('done'), task, summary: Summary, data }),
    z.object({ status: z.literal('not_found'), task, summary: Summary }),
    z.object({ status: z.literal('failed'), task, summary: Summary }),
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
  [Type in OrderQueryType]: (task: OrderTaskByType[Type], store: OrderStore, options?: WriteOptions) => WorkerResultByType[Type];
};

/**
 * Looks the invoice up and opens an investigation on it. An unknown invoice writes nothing.
 *
 * @example
 * runBillingInquiry({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' }, store).summary;
 * // 'Invoice INV-7890 ($249.99, issued 2025-05-02, due 2025-06-01) is disputed; investigation CASE-000001 is now open on it.'
 */
export function runBillingInquiry(task: BillingInquiryTask, store: OrderStore, options: WriteOptions = {}): BillingInquiryResult {
  const notFound = {
    status: 'not_found',
    task,
    summary: `No invoice ${quote(task.invoice_number)} exists; no investigation was opened.`,
  } as const;
  const invoice = store.findInvoice(task.invoice_number);
  if (!invoice) return notFound;
  let investigation: Investigation;
  try {
    investigation = store.openInvestigation(invoice.number, `Customer billing inquiry about invoice ${invoice.number}.`, options);
  } catch (error) {
    if (error instanceof RecordNotFoundError) return notFound; // removed by another process since the lookup
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
 * Checks the product is in the catalog and returnable, then issues an RMA. Anything else writes nothing.
 *
 * @example
 * runProductReturn({ query_type: 'Product Return', product_name: 'superwidget 5000', reason_for_return: 'arrived cracked' }, store).summary;
 * // 'Return of SuperWidget 5000 (SKU SW-5000) is authorized under RMA-000001; policy: returnable within 30 days of delivery.'
 */
export function runProductReturn(task: ProductReturnTask, store: OrderStore, options: WriteOptions = {}): ProductReturnResult {
  const notFound = {
    status: 'not_found',
    task,
    summary: `No product named ${quote(task.product_name)} is in the catalog; no return was created.`,
  } as const;
  const cannotReturn = (product: Product) =>
    ({
      status: 'failed',
      task,
      summary: `${product.name} (SKU ${product.sku}) cannot be returned: ${product.returnPolicy}. No return was created.`,
    }) as const;

  const product = store.findProduct(task.product_name);
  if (!product) return notFound;
  if (!product.isReturnable) return cannotReturn(product);
  let returnAuthorization: ReturnAuthorization;
  try {
    returnAuthorization = store.createReturn({ productName: product.name, reason: task.reason_for_return }, options);
  } catch (error) {
    // the store checks again inside its transaction: another process may have changed the catalog
    if (error instanceof RecordNotFoundError) return notFound;
    if (error instanceof NotReturnableError) return cannotReturn(error.product);
    throw error;
  }
  return {
    status: 'done',
    task,
    summary:
      `Return of ${product.name} (SKU ${product.sku}) is authorized under ${returnAuthorization.rmaNumber}; ` +
      `policy: ${product.returnPolicy}.`,
    data: { product, returnAuthorization },
  };
}

/**
 * Reads the order's real status, carrier and dates.
 *
 * @example
 * runStatusUpdate({ query_type: 'Status Update', order_id: 'a-12345' }, store).summary;
 * // 'Order A-12345 is shipped: placed on 2025-05-01; shipped on 2025-05-03; carrier UPS; tracking number 1Z999AA10123456784; estimated delivery 2025-05-08.'
 */
export function runStatusUpdate(task: StatusUpdateTask, store: OrderStore): StatusUpdateResult {
  const order = store.findOrder(task.order_id);
  if (!order) return { status: 'not_found', task, summary: `No order ${quote(task.order_id)} exists.` };
  return { status: 'done', task, summary: describeOrder(order), data: { order } };
}

/** The dispatch table; `OrderWorkers` makes a missing kind a compile error. */
const orderWorkers: OrderWorkers = {
  'Billing Inquiry': runBillingInquiry,
  'Product Return': runProductReturn,
  'Status Update': runStatusUpdate,
};

/**
 * Runs one task with the worker for its `query_type`. A database error (a lock held past the busy
 * timeout, a full disk) becomes a `failed` result, so one task cannot sink its siblings; its
 * transaction was rolled back, so nothing was written. Any other error is a bug and is thrown.
 * Writes carry `options.idempotencyKey`, so running the same task again under it writes nothing new.
 *
 * @example
 * const results = tasks.map((task, index) => runOrderTask(task, store, { idempotencyKey: `${runId}:task-${index}` }));
 */
export function runOrderTask<Type extends OrderQueryType>(
  task: OrderTaskByType[Type] & { query_type: Type },
  store: OrderStore,
  options: WriteOptions = {},
): WorkerResultByType[Type] {
  const worker: OrderWorkers[Type] = orderWorkers[task.query_type];
  try {
    return worker(task, store, options);
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

function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
}

/** The customer's own text, quoted, so the reply writer sees it as a value and not as a fact. */
function quote(text: string): string {
  return JSON.stringify(text.trim());
}
