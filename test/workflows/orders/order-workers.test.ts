import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { z } from 'zod';
import { expect, onTestFinished, test } from 'vitest';
import { openOrderStore, type OrderStore, type OrderStoreOptions } from '../../../src/workflows/orders/order-store.js';
import { OrderTaskList, type OrderTask } from '../../../src/workflows/orders/order-tasks.js';
import { loadSqlite } from '../../../src/store/load-sqlite.js';
import {
  runBillingInquiry,
  runOrderTask,
  runProductReturn,
  runStatusUpdate,
  WorkerResult,
} from '../../../src/workflows/orders/order-workers.js';

const FIXED_CLOCK = () => new Date('2025-06-01T12:00:00.000Z');
// the seeded customers: Maria owns INV-7890 and order A-12345 (SuperWidget 5000, Gift Card 50); James owns INV-7891 and A-12346
const MARIA = { customer: { id: 'CUST-1001', name: 'Maria Lopez' } };
const JAMES = { customer: { id: 'CUST-1002', name: 'James Chen' } };
const AISHA = { customer: { id: 'CUST-1003', name: 'Aisha Patel' } };

/** A store on a temp file, plus a plain connection to read what really reached the file. */
function openStoreOnFile(options: OrderStoreOptions = {}): { store: OrderStore; raw: DatabaseSync } {
  const directory = mkdtempSync(join(tmpdir(), 'braid-orders-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'orders.db');
  const store = openOrderStore(file, { now: FIXED_CLOCK, ...options });
  onTestFinished(() => store.close());
  const raw = new (loadSqlite().DatabaseSync)(file);
  onTestFinished(() => raw.close());
  return { store, raw };
}

function countRows(raw: DatabaseSync, table: 'investigations' | 'returns'): number {
  return Number(raw.prepare(`SELECT count(*) AS count FROM ${table}`).get()?.count);
}

test('a billing inquiry opens an investigation on the real invoice and reports it', () => {
  const { store, raw } = openStoreOnFile();
  const result = runBillingInquiry({ query_type: 'Billing Inquiry', invoice_number: 'inv-7890' }, store, MARIA);
  expect(result.status).toBe('done');
  expect(result.summary).toBe(
    'Invoice INV-7890 ($249.99, issued 2025-05-02, due 2025-06-01) is disputed; investigation CASE-000001 is now open on it.',
  );
  if (result.status !== 'done') throw new Error('unreachable');
  expect(result.data.invoice.status).toBe('disputed');
  expect(result.data.investigation.caseId).toBe('CASE-000001');
  const rows = raw.prepare('SELECT case_id, invoice_number, status FROM investigations').all();
  expect(rows.map((row) => ({ ...row }))).toEqual([{ case_id: 'CASE-000001', invoice_number: 'INV-7890', status: 'open' }]);
  expect(WorkerResult.parse(result)).toEqual(result);
});

test('an unknown invoice is not_found and opens nothing', () => {
  const { store, raw } = openStoreOnFile();
  const result = runBillingInquiry({ query_type: 'Billing Inquiry', invoice_number: 'INV-0000' }, store, MARIA);
  expect(result).toEqual({
    status: 'not_found',
    task: { query_type: 'Billing Inquiry', invoice_number: 'INV-0000' },
    summary: 'No invoice "INV-0000" exists; no investigation was opened.',
  });
  expect(countRows(raw, 'investigations')).toBe(0);
});

test('a return of a returnable product issues an RMA row with the reason', () => {
  const { store, raw } = openStoreOnFile();
  const task = { query_type: 'Product Return', product_name: 'superwidget 5000', reason_for_return: 'arrived cracked' } as const;
  const result = runProductReturn(task, store, MARIA);
  expect(result.status).toBe('done');
  expect(result.summary).toBe(
    'Return of SuperWidget 5000 (SKU SW-5000) from order A-12345 is authorized under RMA-000001; policy: returnable within 30 days of delivery.',
  );
  const rows = raw.prepare('SELECT rma_number, product_sku, order_id, reason, status FROM returns').all();
  expect(rows.map((row) => ({ ...row }))).toEqual([
    { rma_number: 'RMA-000001', product_sku: 'SW-5000', order_id: 'A-12345', reason: 'arrived cracked', status: 'authorized' },
  ]);
  expect(WorkerResult.parse(result)).toEqual(result);
});

test('a return of an unknown product is not_found, of a final-sale one declined by policy; neither writes', () => {
  const { store, raw } = openStoreOnFile();
  const unknown = runProductReturn(
    { query_type: 'Product Return', product_name: 'HyperWidget 9000', reason_for_return: 'broken' },
    store,
    MARIA,
  );
  expect(unknown.status).toBe('not_found');
  expect(unknown.summary).toBe('No product named "HyperWidget 9000" is in the catalog; no return was created.');
  const finalSale = runProductReturn(
    { query_type: 'Product Return', product_name: 'Clearance Cable Kit', reason_for_return: 'too short' },
    store,
    AISHA,
  );
  expect(finalSale.status).toBe('declined');
  expect(finalSale.summary).toBe(
    'Clearance Cable Kit (SKU CK-100) cannot be returned: final sale: clearance items are not returnable. No return was created.',
  );
  expect(countRows(raw, 'returns')).toBe(0);
});

test('a status update reports the order as stored, and nothing it does not store', () => {
  const { store } = openStoreOnFile();
  const shipped = runStatusUpdate({ query_type: 'Status Update', order_id: 'a-12345' }, store, MARIA);
  expect(shipped.summary).toBe(
    'Order A-12345 is shipped: placed on 2025-05-01; shipped on 2025-05-03; carrier UPS; tracking number 1Z999AA10123456784; estimated delivery 2025-05-08.',
  );
  const expectedStatuses = { 'A-12346': ['processing', 'CUST-1002'], 'A-12347': ['delivered', 'CUST-1003'], 'A-12348': ['cancelled', 'CUST-1004'] };
  for (const [orderId, [status, customerId]] of Object.entries(expectedStatuses)) {
    const result = runStatusUpdate({ query_type: 'Status Update', order_id: orderId }, store, { customer: { id: customerId!, name: 'Someone' } });
    expect(result.status).toBe('done');
    expect(result.summary).toMatch(new RegExp(`^Order ${orderId} is ${status}: placed on \\d{4}-\\d{2}-\\d{2}`));
    expect(result.summary).not.toMatch(/null|undefined/);
  }
  const missing = runStatusUpdate({ query_type: 'Status Update', order_id: 'A-99999' }, store, MARIA);
  expect(missing).toMatchObject({ status: 'not_found', summary: 'No order "A-99999" exists.' });
});

test("another customer's invoice, order or purchase is refused without a word of what it holds, and nothing is written", () => {
  const { store, raw } = openStoreOnFile();
  const invoice = runBillingInquiry({ query_type: 'Billing Inquiry', invoice_number: 'INV-7891' }, store, MARIA);
  expect(invoice).toEqual({
    status: 'refused',
    task: { query_type: 'Billing Inquiry', invoice_number: 'INV-7891' },
    summary: 'Invoice INV-7891 is not on the account of Maria Lopez (CUST-1001), for whom this message is handled; nothing about it was read or changed.',
  });
  const order = runStatusUpdate({ query_type: 'Status Update', order_id: 'A-12346' }, store, MARIA);
  expect(order.status).toBe('refused');
  expect(order.summary).toBe('Order A-12346 is not on the account of Maria Lopez (CUST-1001), for whom this message is handled; its status was not disclosed.');
  // products belong to no one: a return is scoped by the customer's orders, and MegaGadget 200 is on none of Maria's
  const product = runProductReturn({ query_type: 'Product Return', product_name: 'MegaGadget 200', reason_for_return: 'too loud' }, store, MARIA);
  expect(product.status).toBe('refused');
  expect(product.summary).toBe('No order of Maria Lopez (CUST-1001) that was not cancelled contains MegaGadget 200; no return was created.');
  // James, whose records they are, gets them
  expect(runBillingInquiry({ query_type: 'Billing Inquiry', invoice_number: 'INV-7891' }, store, JAMES).status).toBe('done');
  expect(runProductReturn({ query_type: 'Product Return', product_name: 'MegaGadget 200', reason_for_return: 'too loud' }, store, JAMES).status).toBe('done');
  for (const refused of [invoice, order, product]) expect(refused.summary).not.toMatch(/\$|James|89\.50|processing/);
  expect(countRows(raw, 'investigations')).toBe(1);
  expect(countRows(raw, 'returns')).toBe(1);
});

test('a gift card is declined by policy whoever asks; without a customer a return asks whose purchase it is', () => {
  const { store, raw } = openStoreOnFile();
  const giftCard = { query_type: 'Product Return', product_name: 'gift card 50', reason_for_return: 'unwanted' } as const;
  expect(runProductReturn(giftCard, store, MARIA)).toMatchObject({
    status: 'declined',
    summary: 'Gift Card 50 (SKU GC-050) cannot be returned: gift cards are not returnable. No return was created.',
  });
  expect(runProductReturn(giftCard, store, { customer: undefined }).status).toBe('declined');
  const unscoped = runProductReturn({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'broken' }, store, { customer: undefined });
  expect(unscoped.status).toBe('needs_info');
  expect(unscoped.summary).toMatch(/needs the number of the order it came on/);
  expect(runStatusUpdate({ query_type: 'Status Update', order_id: 'A-12345' }, store, { customer: undefined }).status).toBe('needs_info');
  expect(countRows(raw, 'returns')).toBe(0);
});

test('runOrderTask sends each planned task to its worker', () => {
  const { store, raw } = openStoreOnFile();
  const { tasks } = OrderTaskList.parse({
    tasks: [
      { query_type: 'Billing Inquiry', invoice_number: ' INV-7890 ' },
      { query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'stopped working' },
      { query_type: 'Status Update', order_id: 'A-12345' },
    ],
  });
  const results = tasks.map((task) => runOrderTask(task, store, MARIA));
  expect(results.map((result) => [result.task.query_type, result.status])).toEqual([
    ['Billing Inquiry', 'done'],
    ['Product Return', 'done'],
    ['Status Update', 'done'],
  ]);
  expect(z.array(WorkerResult).parse(results)).toEqual(results);
  expect(countRows(raw, 'investigations')).toBe(1);
  expect(countRows(raw, 'returns')).toBe(1);
});

test('a locked database makes the task failed, writes nothing, and leaves the store usable', () => {
  const { store, raw } = openStoreOnFile({ busyTimeoutMs: 0 });
  const task: OrderTask = { query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'dented' };
  raw.exec('BEGIN IMMEDIATE'); // another writer holds the lock
  const blocked = runOrderTask(task, store, MARIA);
  raw.exec('ROLLBACK');
  expect(blocked.status).toBe('failed');
  expect(blocked.summary).toMatch(/^The order database could not run this task \(.*locked.*\); nothing was changed\.$/);
  expect(countRows(raw, 'returns')).toBe(0);
  expect(runOrderTask(task, store, MARIA).status).toBe('done');
  expect(countRows(raw, 'returns')).toBe(1);
});

test('the task list schema rejects unknown kinds and missing fields, and tells the model what each field is', () => {
  expect(OrderTaskList.safeParse({ tasks: [{ query_type: 'Refund', invoice_number: 'INV-7890' }] }).success).toBe(false);
  expect(OrderTaskList.safeParse({ tasks: [{ query_type: 'Product Return', product_name: 'SuperWidget 5000' }] }).success).toBe(
    false,
  );
  expect(OrderTaskList.safeParse({ tasks: [{ query_type: 'Status Update', order_id: 'x'.repeat(41) }] }).success).toBe(false);
  const jsonSchema = JSON.stringify(z.toJSONSchema(OrderTaskList));
  expect(jsonSchema).toContain('the invoice number exactly as the customer wrote it');
  expect(jsonSchema).toContain('why the customer returns it');
});
