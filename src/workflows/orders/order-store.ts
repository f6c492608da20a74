import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { inWriteTransaction } from '../../store/in-write-transaction.js';
import { openSqlite } from '../../store/open-sqlite.js';
import { z } from 'zod';
import { BraidError, InputError } from '../../core/errors.js';

/**
 * The order orchestrator's embedded SQLite database (Node's built-in `node:sqlite`, no native addon):
 * customers, their invoices and orders (and what each order contains), the product catalog, plus the
 * investigations and returns the workers write. Invoices and orders belong to a customer; products
 * belong to no one, so a return is made against an order of the customer's that contains the product.
 */

/** Whose records these are: every lookup and write of a run is scoped to one customer. */
export const Customer = z.object({
  id: z.string(),
  name: z.string(),
});
export type Customer = z.infer<typeof Customer>;

export const Invoice = z.object({
  number: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  status: z.enum(['open', 'paid', 'overdue', 'disputed']),
  issuedOn: z.string(),
  dueOn: z.string(),
});
export type Invoice = z.infer<typeof Invoice>;

/** A billing investigation opened on an invoice. */
export const Investigation = z.object({
  caseId: z.string(),
  invoiceNumber: z.string(),
  note: z.string(),
  status: z.literal('open'),
  openedAt: z.string(),
});
export type Investigation = z.infer<typeof Investigation>;

export const Product = z.object({
  sku: z.string(),
  name: z.string(),
  priceCents: z.number().int(),
  currency: z.string(),
  isReturnable: z.boolean(),
  returnPolicy: z.string(),
});
export type Product = z.infer<typeof Product>;

/** A return merchandise authorization: the customer may send the product back under this number. */
export const ReturnAuthorization = z.object({
  rmaNumber: z.string(),
  productSku: z.string(),
  productName: z.string(),
  /** The customer's order the product came on; null only for returns written before schema 3. */
  orderId: z.string().nullable(),
  reason: z.string(),
  status: z.literal('authorized'),
  createdAt: z.string(),
});
export type ReturnAuthorization = z.infer<typeof ReturnAuthorization>;

export const Order = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  status: z.enum(['processing', 'shipped', 'delivered', 'cancelled']),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  placedOn: z.string(),
  shippedOn: z.string().nullable(),
  deliveredOn: z.string().nullable(),
  estimatedDelivery: z.string().nullable(),
});
export type Order = z.infer<typeof Order>;

/** A write named a record (invoice, product) that does not exist. Nothing was written. */
export class RecordNotFoundError extends BraidError {
  override name = 'RecordNotFoundError';
  readonly kind: 'invoice' | 'product';
  readonly key: string;
  constructor(kind: 'invoice' | 'product', key: string) {
    super(`no ${kind} matches "${key}"`);
    this.kind = kind;
    this.key = key;
  }
}

/**
 * A write named a record that exists but is not the customer's: another customer's invoice, or a
 * product none of the customer's orders contains. Nothing was written.
 */
export class NotCustomersRecordError extends BraidError {
  override name = 'NotCustomersRecordError';
  readonly kind: 'invoice' | 'product';
  readonly key: string;
  readonly customerId: string;
  constructor(kind: 'invoice' | 'product', key: string, customerId: string) {
    super(kind === 'invoice' ? `invoice "${key}" is not on customer ${customerId}'s account` : `no order of customer ${customerId} contains "${key}"`);
    this.kind = kind;
    this.key = key;
    this.customerId = customerId;
  }
}

/** A return was asked for a product the catalog marks as not returnable. Nothing was written. */
export class NotReturnableError extends BraidError {
  override name = 'NotReturnableError';
  readonly product: Product;
  constructor(product: Product) {
    super(`${product.name} (${product.sku}) is not returnable: ${product.returnPolicy}`);
    this.product = product;
  }
}

export interface OrderStoreOptions {
  /**
   * How long a write waits for another connection (or process) sharing the file to finish.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * The clock that stamps new investigations and returns; tests pass a fixed one.
   * @default () => new Date()
   */
  now?: () => Date;
}

export interface OrderStore {
  /** The customer with this id (case-insensitive), or undefined. */
  findCustomer(customerId: string): Customer | undefined;
  /** The invoice with this number (case-insensitive), or undefined. Whose it is, is the caller's check. */
  findInvoice(invoiceNumber: string): Invoice | undefined;
  /**
   * Opens an investigation on one of the customer's invoices. Throws RecordNotFoundError when there
   * is no such invoice and NotCustomersRecordError when it is another customer's, writing nothing;
   * both are checked inside the write transaction. With an `idempotencyKey`, a second call with the
   * same key writes nothing and returns the investigation the first one opened.
   */
  openInvestigation(request: { invoiceNumber: string; note: string; customerId: string }, options?: WriteOptions): Investigation;
  /** The product with this name, ignoring case and whitespace ("superwidget5000" finds "SuperWidget 5000"), or undefined. */
  findProduct(name: string): Product | undefined;
  /**
   * The customer's most recent order that contains the product and was not cancelled: the order a
   * return of it is made against. Undefined when none does.
   */
  findOrderContaining(customerId: string, productSku: string): Order | undefined;
  /**
   * Authorizes the return of a product the customer bought (one of their orders that was not
   * cancelled contains it) under a new, unique RMA number, recorded against that order. Throws
   * RecordNotFoundError, NotReturnableError or NotCustomersRecordError, writing nothing, when it
   * cannot be returned. With an `idempotencyKey`, a second call with the same key returns the first one's RMA.
   */
  createReturn(request: { productName: string; reason: string; customerId: string }, options?: WriteOptions): ReturnAuthorization;
  /** The order with this id (case-insensitive), or undefined. Whose it is, is the caller's check. */
  findOrder(orderId: string): Order | undefined;
  /** Closes the database. Calling it again does nothing. */
  close(): void;
}

export interface WriteOptions {
  /** The same key always means the same write: a repeated call (a resumed run) returns the first row. */
  idempotencyKey?: string;
}

/** Bumped when the schema changes; a file from a newer braid is refused rather than misread. */
const SCHEMA_VERSION = 3;

/**
 * Opens (creating and seeding on first use) the order database at `file`; `':memory:'` gives a
 * private in-memory one. Opening an existing database never reseeds it. Several stores, in one
 * process or many, may share a file: writes serialize in SQLite, and RMA and case numbers come
 * from the database, so they stay unique.
 *
 * @example
 * const store = openOrderStore('orders.db');
 * try {
 *   store.findOrder('A-12345')?.status; // 'shipped'
 * } finally {
 *   store.close();
 * }
 */
export function openOrderStore(
  file: string,
  { busyTimeoutMs = 5000, now = () => new Date() }: OrderStoreOptions = {},
): OrderStore {
  const database = openSqlite(file, {
    what: 'the order database',
    busyTimeoutMs,
    pragmas: ['foreign_keys = ON'],
    prepare: prepareSchema,
  });

  const statements = {
    findCustomer: database.prepare('SELECT id, name FROM customers WHERE id = ?'),
    findInvoice: database.prepare(`
      SELECT invoices.number, invoices.customer_id AS customerId, customers.name AS customerName,
             invoices.amount_cents AS amountCents, invoices.currency, invoices.status,
             invoices.issued_on AS issuedOn, invoices.due_on AS dueOn
      FROM invoices JOIN customers ON customers.id = invoices.customer_id
      WHERE invoices.number = ?`),
    insertInvestigation: database.prepare(`
      INSERT INTO investigations (invoice_number, note, opened_at, idempotency_key) VALUES (?, ?, ?, ?)
      RETURNING ${INVESTIGATION_COLUMNS}`),
    investigationByKey: database.prepare(`SELECT ${INVESTIGATION_COLUMNS} FROM investigations WHERE idempotency_key = ?`),
    findProduct: database.prepare(`
      SELECT sku, name, price_cents AS priceCents, currency, is_returnable AS isReturnable,
             return_policy AS returnPolicy
      FROM products WHERE name_key = ?`),
    findOrderContaining: database.prepare(`
      SELECT ${ORDER_COLUMNS}
      JOIN order_items ON order_items.order_id = orders.id
      WHERE orders.customer_id = ? AND order_items.product_sku = ? AND orders.status <> 'cancelled'
      ORDER BY orders.placed_on DESC, orders.id DESC
      LIMIT 1`),
    insertReturn: database.prepare(
      'INSERT INTO returns (product_sku, order_id, reason, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?) RETURNING id',
    ),
    returnById: database.prepare(`SELECT ${RETURN_COLUMNS} WHERE returns.id = ?`),
    returnByKey: database.prepare(`SELECT ${RETURN_COLUMNS} WHERE returns.idempotency_key = ?`),
    findOrder: database.prepare(`SELECT ${ORDER_COLUMNS} WHERE orders.id = ?`),
  };

  function findInvoice(invoiceNumber: string): Invoice | undefined {
    const row = statements.findInvoice.get(invoiceNumber.trim());
    return row ? Invoice.parse(row) : undefined;
  }

  function findProduct(name: string): Product | undefined {
    const row = statements.findProduct.get(productNameKey(name));
    return row ? Product.parse({ ...row, isReturnable: row.isReturnable === 1 }) : undefined;
  }

  function findOrderContaining(customerId: string, productSku: string): Order | undefined {
    const row = statements.findOrderContaining.get(customerId.trim(), productSku);
    return row ? Order.parse(row) : undefined;
  }

  let isClosed = false;
  return {
    findCustomer(customerId) {
      const row = statements.findCustomer.get(customerId.trim());
      return row ? Customer.parse(row) : undefined;
    },

    findInvoice,

    openInvestigation({ invoiceNumber, note, customerId }, { idempotencyKey } = {}) {
      // the checks and the insert share one transaction, so the invoice cannot vanish or change hands in between
      return inWriteTransaction(database, () => {
        const earlier = idempotencyKey === undefined ? undefined : statements.investigationByKey.get(idempotencyKey);
        if (earlier) return Investigation.parse(earlier);
        const invoice = findInvoice(invoiceNumber);
        if (!invoice) throw new RecordNotFoundError('invoice', invoiceNumber.trim());
        if (!sameId(invoice.customerId, customerId)) throw new NotCustomersRecordError('invoice', invoice.number, customerId.trim());
        const row = statements.insertInvestigation.get(invoice.number, note.trim(), now().toISOString(), idempotencyKey ?? null);
        return Investigation.parse(row);
      });
    },

    findProduct,

    findOrderContaining,

    createReturn({ productName, reason, customerId }, { idempotencyKey } = {}) {
      return inWriteTransaction(database, () => {
        const earlier = idempotencyKey === undefined ? undefined : statements.returnByKey.get(idempotencyKey);
        if (earlier) return ReturnAuthorization.parse(earlier);
        const product = findProduct(productName);
        if (!product) throw new RecordNotFoundError('product', productName.trim());
        if (!product.isReturnable) throw new NotReturnableError(product);
        const order = findOrderContaining(customerId, product.sku);
        if (!order) throw new NotCustomersRecordError('product', product.name, customerId.trim());
        const inserted = statements.insertReturn.get(product.sku, order.id, reason.trim(), now().toISOString(), idempotencyKey ?? null);
        return ReturnAuthorization.parse(statements.returnById.get(inserted?.id ?? null));
      });
    },

    findOrder(orderId) {
      const row = statements.findOrder.get(orderId.trim());
      return row ? Order.parse(row) : undefined;
    },

    close() {
      if (isClosed) return;
      isClosed = true;
      database.close();
    },
  };
}

/** Customer ids compare as the database does (COLLATE NOCASE), ignoring surrounding space. */
function sameId(left: string, right: string): boolean {
  return left.trim().toLowerCase() === right.trim().toLowerCase();
}

/** Lower case with every space removed: customers write "super widget 5000" or "SUPERWIDGET5000" for "SuperWidget 5000". */
export function productNameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, '');
}

/** Creates the tables and seeds them once. The version check runs under the write lock, so two first openers seed once. */
function prepareSchema(database: DatabaseSync): void {
  inWriteTransaction(database, () => {
    const version = readUserVersion(database.prepare('PRAGMA user_version').get()?.user_version);
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) {
      throw new InputError(
        `the order database has schema version ${version}, newer than this braid understands (${SCHEMA_VERSION}); use a newer braid or another file`,
      );
    }
    // each version's changes, in order: a new file takes them all, an older one the ones it lacks
    if (version < 1) {
      database.exec(SCHEMA_SQL);
      seed(database);
    }
    if (version < 2) database.exec(IDEMPOTENCY_SQL);
    if (version < 3) {
      database.exec(ORDER_ITEMS_SQL);
      seedOrderItems(database);
    }
    database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

function readUserVersion(value: SQLOutputValue | undefined): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/**
 * Case and RMA numbers are computed from AUTOINCREMENT ids, which SQLite never hands out twice
 * (not even after a delete), so every connection sharing the file gets its own.
 */
const SCHEMA_SQL = `
  CREATE TABLE customers (
    id TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    email TEXT NOT NULL
  );
  CREATE TABLE invoices (
    number TEXT PRIMARY KEY COLLATE NOCASE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'overdue', 'disputed')),
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL
  );
  CREATE TABLE investigations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT GENERATED ALWAYS AS ('CASE-' || printf('%06d', id)) STORED UNIQUE,
    invoice_number TEXT NOT NULL REFERENCES invoices (number),
    note TEXT NOT NULL CHECK (length(note) > 0),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open')),
    opened_at TEXT NOT NULL
  );
  CREATE TABLE products (
    sku TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    currency TEXT NOT NULL,
    is_returnable INTEGER NOT NULL CHECK (is_returnable IN (0, 1)),
    return_policy TEXT NOT NULL
  );
  CREATE TABLE returns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rma_number TEXT GENERATED ALWAYS AS ('RMA-' || printf('%06d', id)) STORED UNIQUE,
    product_sku TEXT NOT NULL REFERENCES products (sku),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    status TEXT NOT NULL DEFAULT 'authorized' CHECK (status IN ('authorized')),
    created_at TEXT NOT NULL
  );
  CREATE TABLE orders (
    id TEXT PRIMARY KEY COLLATE NOCASE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    status TEXT NOT NULL CHECK (status IN ('processing', 'shipped', 'delivered', 'cancelled')),
    carrier TEXT,
    tracking_number TEXT,
    placed_on TEXT NOT NULL,
    shipped_on TEXT,
    delivered_on TEXT,
    estimated_delivery TEXT
  );
`;

/** Version 2: a write made under an idempotency key (a run's effect) is made once, whatever retries it. */
const IDEMPOTENCY_SQL = `
  ALTER TABLE investigations ADD COLUMN idempotency_key TEXT;
  CREATE UNIQUE INDEX investigations_by_idempotency_key ON investigations (idempotency_key);
  ALTER TABLE returns ADD COLUMN idempotency_key TEXT;
  CREATE UNIQUE INDEX returns_by_idempotency_key ON returns (idempotency_key);
`;

/**
 * Version 3: what each order contains, so a return is made against an order of the customer's
 * (products belong to no one; a purchase does), and the order each return came on.
 */
const ORDER_ITEMS_SQL = `
  CREATE TABLE order_items (
    order_id TEXT NOT NULL REFERENCES orders (id),
    product_sku TEXT NOT NULL REFERENCES products (sku),
    quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_sku)
  );
  ALTER TABLE returns ADD COLUMN order_id TEXT REFERENCES orders (id);
`;

const ORDER_COLUMNS = `
  orders.id, orders.customer_id AS customerId, customers.name AS customerName, orders.status,
  orders.carrier, orders.tracking_number AS trackingNumber, orders.placed_on AS placedOn,
  orders.shipped_on AS shippedOn, orders.delivered_on AS deliveredOn,
  orders.estimated_delivery AS estimatedDelivery
  FROM orders JOIN customers ON customers.id = orders.customer_id`;

const INVESTIGATION_COLUMNS = 'case_id AS caseId, invoice_number AS invoiceNumber, note, status, opened_at AS openedAt';
const RETURN_COLUMNS = `
  returns.rma_number AS rmaNumber, returns.product_sku AS productSku, products.name AS productName,
  returns.order_id AS orderId, returns.reason, returns.status, returns.created_at AS createdAt
  FROM returns JOIN products ON products.sku = returns.product_sku`;

/** The sample shop the lesson's messages talk about: INV-7890, SuperWidget 5000, A-12345, and a few neighbours (one customer each). */
function seed(database: DatabaseSync): void {
  const insertCustomer = database.prepare('INSERT INTO customers (id, name, email) VALUES (?, ?, ?)');
  insertCustomer.run('CUST-1001', 'Maria Lopez', 'maria.lopez@example.com');
  insertCustomer.run('CUST-1002', 'James Chen', 'james.chen@example.com');
  insertCustomer.run('CUST-1003', 'Aisha Patel', 'aisha.patel@example.com');
  insertCustomer.run('CUST-1004', 'Tom Becker', 'tom.becker@example.com');

  const insertInvoice = database.prepare(
    'INSERT INTO invoices (number, customer_id, amount_cents, currency, status, issued_on, due_on) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  insertInvoice.run('INV-7890', 'CUST-1001', 24_999, 'USD', 'disputed', '2025-05-02', '2025-06-01');
  insertInvoice.run('INV-7891', 'CUST-1002', 8_950, 'USD', 'paid', '2025-04-18', '2025-05-18');
  insertInvoice.run('INV-7892', 'CUST-1003', 112_000, 'USD', 'overdue', '2025-03-01', '2025-03-31');
  insertInvoice.run('INV-7893', 'CUST-1004', 4_200, 'USD', 'open', '2025-05-20', '2025-06-19');

  const insertProduct = database.prepare(
    'INSERT INTO products (sku, name, name_key, price_cents, currency, is_returnable, return_policy) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const products: [sku: string, name: string, priceCents: number, isReturnable: 0 | 1, returnPolicy: string][] = [
    ['SW-5000', 'SuperWidget 5000', 19_999, 1, 'returnable within 30 days of delivery'],
    ['SW-3000', 'SuperWidget 3000', 12_999, 1, 'returnable within 30 days of delivery'],
    ['MG-200', 'MegaGadget 200', 34_900, 1, 'returnable within 14 days of delivery, unopened'],
    ['GC-050', 'Gift Card 50', 5_000, 0, 'gift cards are not returnable'],
    ['CK-100', 'Clearance Cable Kit', 1_499, 0, 'final sale: clearance items are not returnable'],
  ];
  for (const [sku, name, priceCents, isReturnable, returnPolicy] of products) {
    insertProduct.run(sku, name, productNameKey(name), priceCents, 'USD', isReturnable, returnPolicy);
  }

  const insertOrder = database.prepare(`
    INSERT INTO orders (id, customer_id, status, carrier, tracking_number, placed_on, shipped_on, delivered_on, estimated_delivery)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  insertOrder.run('A-12345', 'CUST-1001', 'shipped', 'UPS', '1Z999AA10123456784', '2025-05-01', '2025-05-03', null, '2025-05-08');
  insertOrder.run('A-12346', 'CUST-1002', 'processing', null, null, '2025-05-19', null, null, '2025-05-27');
  insertOrder.run('A-12347', 'CUST-1003', 'delivered', 'FedEx', '794644790138', '2025-04-10', '2025-04-11', '2025-04-15', null);
  insertOrder.run('A-12348', 'CUST-1004', 'cancelled', null, null, '2025-05-05', null, null, null);
}

/** What the seeded orders contain. */
const SEEDED_ORDER_ITEMS: readonly [orderId: string, productSku: string, quantity: number][] = [
  ['A-12345', 'SW-5000', 1],
  ['A-12345', 'GC-050', 2],
  ['A-12346', 'MG-200', 1],
  ['A-12347', 'SW-3000', 1],
  ['A-12347', 'CK-100', 1],
  ['A-12348', 'SW-3000', 1],
];

/**
 * Fills in what the sample orders contain. A file from schema 2 gets the rows too, but only for the
 * sample orders and products it still holds: data of the user's own is never touched.
 */
function seedOrderItems(database: DatabaseSync): void {
  const insertItem = database.prepare(`
    INSERT OR IGNORE INTO order_items (order_id, product_sku, quantity)
    SELECT orders.id, products.sku, ? FROM orders, products WHERE orders.id = ? AND products.sku = ?`);
  for (const [orderId, productSku, quantity] of SEEDED_ORDER_ITEMS) insertItem.run(quantity, orderId, productSku);
}
