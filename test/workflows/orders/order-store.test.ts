import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, onTestFinished, test } from 'vitest';
import {
  NotReturnableError,
  openOrderStore,
  RecordNotFoundError,
  type OrderStore,
  type OrderStoreOptions,
} from '../../../src/workflows/orders/order-store.js';
import { InputError } from '../../../src/core/errors.js';

const TABLES = ['customers', 'invoices', 'investigations', 'products', 'returns', 'orders'] as const;
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
  const database = new DatabaseSync(file);
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
  first.createReturn({ productName: 'SuperWidget 5000', reason: 'arrived cracked' });
  first.close();
  const raw = openRawDatabase(file);
  const countsAfterFirst = countRows(raw);
  expect(countsAfterFirst).toMatchObject({ customers: 4, invoices: 4, products: 5, orders: 4, returns: 1, investigations: 0 });

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
  const first = store.openInvestigation('inv-7890', 'charged twice');
  const second = store.openInvestigation('INV-7890', 'still charged twice');
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

  expect(() => store.openInvestigation('INV-0000', 'who?')).toThrow(RecordNotFoundError);
  expect(() => store.createReturn({ productName: 'HyperWidget 9000', reason: 'broken' })).toThrow(RecordNotFoundError);
  const notReturnable = (() => {
    try {
      store.createReturn({ productName: 'gift card 50', reason: 'unwanted' });
    } catch (error) {
      return error;
    }
  })();
  expect(notReturnable).toBeInstanceOf(NotReturnableError);
  expect((notReturnable as NotReturnableError).product.sku).toBe('GC-050');

  expect(countRows(raw)).toEqual(before);
  // the failed transactions were rolled back, so the connection still writes
  expect(store.createReturn({ productName: 'MegaGadget 200', reason: 'too loud' }).rmaNumber).toBe('RMA-000001');
});

test('RMA numbers stay unique over many returns and across two stores on one file', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const left = openStore(file);
  const right = openStore(file);
  const numbers: string[] = [];
  for (let index = 0; index < 100; index += 1) {
    const store = index % 3 === 0 ? right : left; // interleave the two connections unevenly
    numbers.push(store.createReturn({ productName: 'SuperWidget 5000', reason: `return ${index}` }).rmaNumber);
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
    numbers.push(store.createReturn({ productName: 'SuperWidget 5000', reason: 'child ' + process.pid }).rmaNumber);
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
  expect(countRows(openRawDatabase(file))).toMatchObject({ customers: 4, invoices: 4, products: 5, orders: 4, returns: 120 });
});

test('a database from a newer schema is refused, not misread', () => {
  const file = join(makeTempDirectory(), 'orders.db');
  const raw = new DatabaseSync(file);
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
