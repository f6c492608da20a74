import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { InvalidSignalError, openRunStore, resume, signal, startRun, type Run, type RunStore } from '../../../src/index.js';
import { approveOver, handleOrderQuery, OrderApprovalPendingError, openOrderStore, type HandleOrderQueryOptions } from '../../../src/workflows/index.js';
import { startFakeProvider } from '../../fake-provider/index.js';
import { makeTempDirectory } from '../../support/run-cli.js';
import { modelOn, QUICK_RETRY } from '../../support/wire-models.js';
import { loadSqlite } from '../../../src/store/load-sqlite.js';

const PLANNER = 'You turn a customer message into a list of tasks';
const SYNTHESIZER = 'You write one reply to the customer';
const MESSAGE = "My SuperWidget 5000 is broken, I want to return it. Where is order A-12345? And INV-7890 is wrong.";

function plannedTask(fields: Record<string, string>) {
  return { invoice_number: null, product_name: null, reason_for_return: null, order_id: null, ...fields };
}

/** Maria's return ($199.99), her order's status, and an inquiry on her disputed invoice. */
const TASKS = [
  plannedTask({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'it is broken' }),
  plannedTask({ query_type: 'Status Update', order_id: 'A-12345' }),
  plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' }),
];

async function setup() {
  const server = await startFakeProvider({ rules: [{ match: PLANNER, json: { tasks: TASKS } }] });
  onTestFinished(() => server.close());
  const directory = makeTempDirectory('braid-approval-');
  const ordersFile = join(directory, 'orders.db');
  const orders = openOrderStore(ordersFile);
  onTestFinished(() => orders.close());
  const runsFile = join(directory, 'runs.db');
  const open = (): RunStore => {
    const store = openRunStore(runsFile);
    onTestFinished(() => store.close());
    return store;
  };
  const runOptions = { model: modelOn('openai', server), retry: QUICK_RETRY, workflow: 'orchestrate', input: { message: MESSAGE } };
  const options: HandleOrderQueryOptions = { customerId: 'CUST-1001', requiresApproval: approveOver(150) };
  const handle = (run: Run) => handleOrderQuery(run, MESSAGE, orders, options);
  const rows = () => {
    const database = new (loadSqlite().DatabaseSync)(ordersFile, { readOnly: true });
    try {
      const count = (table: string) => Number(database.prepare(`SELECT count(*) AS count FROM ${table}`).get()?.count);
      return { returns: count('returns'), investigations: count('investigations') };
    } finally {
      database.close();
    }
  };
  const prompts = (text: string) => server.stats().timeline.filter((entry) => entry.prompt.includes(text)).map((entry) => entry.prompt);
  return { server, orders, open, runOptions, handle, rows, prompts };
}

/** The first session: the status update runs, the return and the disputed invoice wait; a reply says so. */
async function startAndWait(context: Awaited<ReturnType<typeof setup>>, runId: string): Promise<OrderApprovalPendingError> {
  const run = startRun(context.open(), { ...context.runOptions, runId });
  const error = await context.handle(run).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OrderApprovalPendingError);
  run.finish('waiting');
  return error as OrderApprovalPendingError;
}

test('writes over the limit and on a disputed invoice wait for approval: nothing is written, the rest runs, and the reply says what waits', async () => {
  const context = await setup();
  const pending = await startAndWait(context, 'wait-1');

  expect(pending.handled.results.map((result) => result.status)).toEqual(['awaiting_approval', 'done', 'awaiting_approval']);
  expect(pending.handled.results[0]!.summary).toBe(
    'The return of SuperWidget 5000 (SKU SW-5000, $199.99) from order A-12345 waits for approval by the support team, because the product is priced over $150.00; nothing has been written yet.',
  );
  expect(pending.handled.results[2]!.summary).toMatch(/^An investigation on invoice INV-7890 \(\$249\.99\) waits for approval .* because invoice INV-7890 is disputed;/);
  expect(context.rows()).toEqual({ returns: 0, investigations: 0 });
  // the lorem reply names neither waiting record, so the plain reply, which does, is sent
  expect(pending.handled.response).toContain('waits for approval by the support team');
  expect(pending.handled.replyCheck.source).toBe('fallback');
  expect(context.prompts(SYNTHESIZER)[0]).toContain('1. [awaiting_approval] The return of SuperWidget 5000');
  // each wait is the task's own, with what the approver must decide
  expect(pending.waits.map((wait) => [wait.name, wait.key])).toEqual([
    ['approval', '/orchestrate#0/task[0]#0/approval#0'],
    ['approval', '/orchestrate#0/task[2]#0/approval#0'],
  ]);
  expect(pending.waits[0]!.prompt).toBe(
    'Approve the return of SuperWidget 5000 (SKU SW-5000, $199.99) from order A-12345 for Maria Lopez (CUST-1001)? Reason given: "it is broken". It waits because the product is priced over $150.00.',
  );
  expect(context.open().getRun('wait-1')).toMatchObject({ status: 'waiting' });
});

test('an approved return writes exactly one RMA after the approval; a rejected inquiry writes nothing; the reply says both', async () => {
  const context = await setup();
  const pending = await startAndWait(context, 'wait-2');
  const [returnWait, inquiryWait] = pending.waits;
  const store = context.open();

  // a wrong shape is refused, and the run still waits with nothing written
  expect(() => signal(store, 'wait-2', 'approval', { approved: 'yes' }, { key: returnWait!.key })).toThrow(InvalidSignalError);
  signal(store, 'wait-2', 'approval', { approved: true }, { key: returnWait!.key });
  signal(store, 'wait-2', 'approval', { approved: false, note: 'the charge is correct' }, { key: inquiryWait!.key });
  expect(context.rows()).toEqual({ returns: 0, investigations: 0 });

  const run = resume(store, 'wait-2', context.runOptions);
  const handled = await context.handle(run);
  run.finish('ok');

  expect(handled.results.map((result) => result.status)).toEqual(['done', 'done', 'rejected']);
  expect(handled.results[0]!.summary).toMatch(/from order A-12345 is authorized under RMA-000001;/);
  expect(handled.results[2]!.summary).toBe(
    'The investigation on invoice INV-7890 was reviewed and not approved (the reviewer\'s note: "the charge is correct"); no investigation was opened.',
  );
  expect(context.rows()).toEqual({ returns: 1, investigations: 0 });
  expect(handled.response).toContain('RMA-000001');
  expect(handled.response).toContain('INV-7890 was reviewed and not approved');
  // nothing before the waits was asked again: one plan in all; the final reply was asked after the answers
  expect(context.prompts(PLANNER)).toHaveLength(1);
  const finalPrompt = context.prompts(SYNTHESIZER).find((prompt) => prompt.includes('3. [rejected]'));
  expect(finalPrompt).toContain('1. [done] Return of SuperWidget 5000 (SKU SW-5000) from order A-12345 is authorized under RMA-000001');

  // resuming the finished run again writes nothing more
  const again = resume(context.open(), 'wait-2', context.runOptions);
  await context.handle(again);
  again.finish('ok');
  expect(context.rows()).toEqual({ returns: 1, investigations: 0 });
});

test('a write under the limit, and an inquiry on an invoice that is not disputed, do not wait', async () => {
  const context = await setup();
  context.server.configure({
    rules: [
      {
        match: PLANNER,
        json: {
          tasks: [
            plannedTask({ query_type: 'Product Return', product_name: 'SuperWidget 3000', reason_for_return: 'rattles' }), // $129.99
            plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7892' }), // overdue, not disputed
          ],
        },
      },
    ],
  });
  const run = startRun(context.open(), { ...context.runOptions, runId: 'no-wait' });
  const handled = await handleOrderQuery(run, 'Return my SuperWidget 3000, it rattles; INV-7892 looks wrong', context.orders, {
    customerId: 'CUST-1003',
    requiresApproval: approveOver(150),
  });
  run.finish('ok');
  expect(handled.results.map((result) => result.status)).toEqual(['done', 'done']);
  expect(context.rows()).toEqual({ returns: 1, investigations: 1 });
});
