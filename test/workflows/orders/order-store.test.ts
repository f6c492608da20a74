import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, onTestFinished, test } from 'vitest';
import {
  NotCustomersRecordError,
  NotReturnableError,
  openOrderStore,
  RecordNotFoundError,
  type OrderStore,
  type OrderStoreOptions,
} from '../../../src/workflows/orders/order-store.js';
import { InputError } from '../../../src/core/errors.js';
import { loadSqlite } from '../../../src/store/load-sqlite.js';

const TABLES = ['customers', 'invoices', 'investigations', 'products', 'returns', 'orders', 'order_items'] as const;
const MARIA = 'CUST-1001'; // INV-7890; order A-12345 holds SuperWidget 5000 and Gift Card 50
const FIXED_CLOCK = () => new Date('2025-06-01T12:00:00.000Z');

function makeTempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'braid-orders-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function openStore(file: string, options: OrderStoreOptions = {}): OrderStore {
  const store = openOrderStore(file, { now: FIXED_CLOCK, ...options });
  onTestFinished(() => store.close());
  return store;
}

/** A second, plain connection: the tests read what really reached the file, not what the store says. */
function openRawDatabase(file: string): DatabaseSync {
  const database = new (loadSqlite().DatabaseSync)(file);
  onTestFinished(() => database.close());
  return database;
}

function countRows(database: DatabaseSync): Record<string, number> {
  return Object.fromEntries(
    TABLES.map((table) => [table, Number(database.prepare(`SELECT count(*) AS count FROM ${table}`).get()?.count)]),
  );
}

test('a new database holds the lesson records', () => {
  const store = openStore(':memory:');
  expect(store.findInvoice('INV-7890')).toEqual({
    number: 'INV-7890',
    customerId: 'CUST-1001',
    customerName: 'Maria Lopez',
    amountCents: 24_999,
    currency: 'USD',
    status: 'disputed',
    issuedOn: '2025-05-02',
    dueOn: '2025-06-01',
  });
  expect(store.findProduct('SuperWidget 5000')).toMatchObject({ sku: 'SW-5000', name: 'SuperWidget 5000', isReturnable: true });
  expect(store.findOrder('A-12345')).toMatchObject({
    id: 'A-12345',
    status: 'shipped',
    carrier: 'UPS',
    trackingNumber: '1Z999AA10123456784',
    shippedOn: '2025-05-03',
  });
});

test('opening an existing database never reseeds it or drops what was written', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const first = openOrderStore(file, { now: FIXED_CLOCK });
  first.createReturn({ productName: 'SuperWidget 5000', reason: 'arrived cracked', customerId: MARIA });
  first.close();
  const raw = openRawDatabase(file);
  const countsAfterFirst = countRows(raw);
  expect(countsAfterFirst).toMatchObject({ customers: 4, invoices: 4, products: 5, orders: 4, order_items: 6, returns: 1, investigations: 0 });

  openOrderStore(file).close();
  const second = openStore(file);
  expect(countRows(raw)).toEqual(countsAfterFirst);
  expect(second.findOrder('A-12345')?.status).toBe('shipped');
});

test('lookups ignore case and surrounding space; product names also ignore inner space', () => {
  const store = openStore(':memory:');
  expect(store.findInvoice('  inv-7890 ')?.number).toBe('INV-7890');
  expect(store.findOrder('a-12345')?.id).toBe('A-12345');
  for (const name of ['superwidget 5000', '  SUPERWIDGET5000 ', 'Super Widget  5000']) {
    expect(store.findProduct(name)?.sku).toBe('SW-5000');
  }
  expect(store.findProduct('SuperWidget')).toBeUndefined();
  expect(store.findInvoice('INV-0000')).toBeUndefined();
  expect(store.findOrder('A-99999')).toBeUndefined();
});

test('an investigation is a new row on the invoice, with its own case id', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const store = openStore(file);
  const first = store.openInvestigation({ invoiceNumber: 'inv-7890', note: 'charged twice', customerId: MARIA });
  const second = store.openInvestigation({ invoiceNumber: 'INV-7890', note: 'still charged twice', customerId: 'cust-1001' });
  expect(first).toEqual({
    caseId: 'CASE-000001',
    invoiceNumber: 'INV-7890',
    note: 'charged twice',
    status: 'open',
    openedAt: '2025-06-01T12:00:00.000Z',
  });
  expect(second.caseId).toBe('CASE-000002');
  const rows = openRawDatabase(file).prepare('SELECT case_id, invoice_number, note FROM investigations ORDER BY id').all();
  expect(rows.map((row) => ({ ...row }))).toEqual([
    { case_id: 'CASE-000001', invoice_number: 'INV-7890', note: 'charged twice' },
    { case_id: 'CASE-000002', invoice_number: 'INV-7890', note: 'still charged twice' },
  ]);
});

test('writes that name a missing or non-returnable record throw a typed error and write nothing', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const store = openStore(file);
  const raw = openRawDatabase(file);
  const before = countRows(raw);

  expect(() => store.openInvestigation({ invoiceNumber: 'INV-0000', note: 'who?', customerId: MARIA })).toThrow(RecordNotFoundError);
  expect(() => store.createReturn({ productName: 'HyperWidget 9000', reason: 'broken', customerId: MARIA })).toThrow(RecordNotFoundError);
  const notReturnable = (() => {
    try {
      store.createReturn({ productName: 'gift card 50', reason: 'unwanted', customerId: MARIA });
    } catch (error) {
      return error;
    }
  })();
  expect(notReturnable).toBeInstanceOf(NotReturnableError);
  expect((notReturnable as NotReturnableError).product.sku).toBe('GC-050');

  expect(countRows(raw)).toEqual(before);
  // the failed transactions were rolled back, so the connection still writes
  expect(store.createReturn({ productName: 'MegaGadget 200', reason: 'too loud', customerId: 'CUST-1002' }).rmaNumber).toBe('RMA-000001');
});

test("writes for a customer touch only that customer's records: another's invoice, or a product none of their orders holds, is refused", () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const store = openStore(file);
  const raw = openRawDatabase(file);
  const before = countRows(raw);

  const caught = (write: () => unknown): unknown => {
    try {
      write();
    } catch (error) {
      return error;
    }
    throw new Error('the write went through');
  };
  // INV-7891 is James Chen's
  const invoice = caught(() => store.openInvestigation({ invoiceNumber: 'INV-7891', note: 'not mine', customerId: MARIA }));
  expect(invoice).toBeInstanceOf(NotCustomersRecordError);
  expect(invoice).toMatchObject({ kind: 'invoice', key: 'INV-7891', customerId: MARIA });
  // MegaGadget 200 is only on James's order A-12346
  const product = caught(() => store.createReturn({ productName: 'MegaGadget 200', reason: 'loud', customerId: MARIA }));
  expect(product).toMatchObject({ kind: 'product', key: 'MegaGadget 200', customerId: MARIA });
  // Tom Becker's only SuperWidget 3000 was on an order he cancelled: nothing to return
  expect(() => store.createReturn({ productName: 'SuperWidget 3000', reason: 'changed mind', customerId: 'CUST-1004' })).toThrow(NotCustomersRecordError);
  expect(countRows(raw)).toEqual(before);

  // the return records the order it came on
  const authorized = store.createReturn({ productName: 'superwidget 3000', reason: 'rattles', customerId: 'CUST-1003' });
  expect(authorized).toMatchObject({ productSku: 'SW-3000', orderId: 'A-12347' });
  expect(store.findOrderContaining(MARIA, 'SW-5000')?.id).toBe('A-12345');
  expect(store.findOrderContaining(MARIA, 'MG-200')).toBeUndefined();
  expect(store.findCustomer('cust-1001')).toEqual({ id: 'CUST-1001', name: 'Maria Lopez' });
  expect(store.findCustomer('CUST-9999')).toBeUndefined();
});

test('a schema 2 file is migrated to 3 in place: its rows kept, the sample orders given their items, new returns tied to an order', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const old = new (loadSqlite().DatabaseSync)(file);
  old.exec(readFileSync(new URL('fixtures/orders-schema-2.sql', import.meta.url), 'utf8'));
  old.close();

  const store = openStore(file);
  const migrated = openRawDatabase(file);
  expect(migrated.prepare('PRAGMA user_version').get()?.user_version).toBe(3);
  expect(countRows(migrated)).toMatchObject({ customers: 4, orders: 4, order_items: 6, returns: 1, investigations: 1 });
  const earlier = migrated.prepare('SELECT rma_number, order_id, idempotency_key FROM returns').get();
  expect({ ...earlier }).toEqual({ rma_number: 'RMA-000001', order_id: null, idempotency_key: 'old-run:/orchestrate#0/task[1]#0/act#0' });
  // a write made under an old key is still found by it, not made again
  const replayed = store.createReturn(
    { productName: 'SuperWidget 5000', reason: 'written by schema 2', customerId: MARIA },
    { idempotencyKey: 'old-run:/orchestrate#0/task[1]#0/act#0' },
  );
  expect(replayed).toMatchObject({ rmaNumber: 'RMA-000001', orderId: null });
  const fresh = store.createReturn({ productName: 'SuperWidget 5000', reason: 'after the upgrade', customerId: MARIA });
  expect(fresh).toMatchObject({ rmaNumber: 'RMA-000002', orderId: 'A-12345' });
  // opening it again changes nothing
  store.close();
  openOrderStore(file).close();
  expect(countRows(migrated)).toMatchObject({ order_items: 6, returns: 2, investigations: 1 });
});

test('RMA numbers stay unique over many returns and across two stores on one file', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const left = openStore(file);
  const right = openStore(file);
  const numbers: string[] = [];
  for (let index = 0; index < 100; index += 1) {
    const store = index % 3 === 0 ? right : left; // interleave the two connections unevenly
    numbers.push(store.createReturn({ productName: 'SuperWidget 5000', reason: `return ${index}`, customerId: MARIA }).rmaNumber);
  }
  expect(new Set(numbers).size).toBe(100);
  for (const number of numbers) expect(number).toMatch(/^RMA-\d{6}$/);
  const stored = openRawDatabase(file).prepare('SELECT rma_number FROM returns').all();
  expect(new Set(stored.map((row) => row.rma_number))).toEqual(new Set(numbers));
});

const STORE_MODULE = fileURLToPath(new URL('../../../src/workflows/orders/order-store.ts', import.meta.url));
const CHILD_SCRIPT = `
  const { openOrderStore } = await import(process.argv[1]);
  const store = openOrderStore(process.argv[2], { busyTimeoutMs: 30000 });
  const numbers = [];
  for (let index = 0; index < Number(process.argv[3]); index += 1) {
    numbers.push(store.createReturn({ productName: 'SuperWidget 5000', reason: 'child ' + process.pid, customerId: 'CUST-1001' }).rmaNumber);
  }
  store.close();
  process.stdout.write(JSON.stringify(numbers));
`;

test('processes that open a new file together seed it once and never share an RMA number', async () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const runChild = promisify(execFile);
  const outputs = await Promise.all(
    [1, 2, 3].map(() =>
      runChild(
        process.execPath,
        ['--no-warnings', '--import', 'tsx', '--input-type=module', '--eval', CHILD_SCRIPT, STORE_MODULE, file, '40'],
        { cwd: process.cwd() },
      ),
    ),
  );
  const numbers = outputs.flatMap((output) => JSON.parse(output.stdout) as string[]);
  expect(numbers).toHaveLength(120);
  expect(new Set(numbers).size).toBe(120);
  expect(countRows(openRawDatabase(file))).toMatchObject({ customers: 4, invoices: 4, products: 5, orders: 4, order_items: 6, returns: 120 });
});

test('a database from a newer schema is refused, not misread', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const raw = new (loadSqlite().DatabaseSync)(file);
  raw.exec('PRAGMA user_version = 99');
  raw.close();
  expect(() => openOrderStore(file)).toThrow(InputError);
  expect(() => openOrderStore(file)).toThrow(/schema version 99/);
});

test('closing twice is harmless', () => {
  const store = openOrderStore(':memory:');
  store.close();
  expect(() => store.close()).not.toThrow();
});
