import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { expect, test, vi } from 'vitest';
import { z } from 'zod';
import { openOrderStore } from '../../src/workflows/orders/order-store.js';
import { makeTempDirectory, PROGRESS_ESCAPES, runCli, startCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';
import { loadSqlite } from '../../src/store/load-sqlite.js';

const fake = useSharedFakeProvider();

const PLANNER = 'You turn a customer message into a list of tasks';
const SYNTHESIZER = 'You write one reply to the customer';
const REPAIR = 'Your previous reply was:';
const STATUSES = ['done', 'not_found', 'refused', 'declined', 'needs_info', 'duplicate', 'awaiting_approval', 'rejected', 'failed'] as const;
const Output = z.object({
  customer: z.object({ id: z.string(), name: z.string(), fixedBy: z.enum(['option', 'task']), task: z.number().optional() }).nullable(),
  tasks: z.array(z.record(z.string(), z.unknown())),
  results: z.array(z.object({ status: z.enum(STATUSES), task: z.record(z.string(), z.unknown()), summary: z.string() })),
  response: z.string().min(1),
  replyCheck: z.object({ source: z.enum(['model', 'repaired', 'fallback']), rejectedReplies: z.number() }),
  waiting: z.array(z.object({ name: z.string(), key: z.string(), prompt: z.string() })),
});

/** A planner task as the model emits it: every field of every task type, null where it does not apply. */
function plannedTask(fields: Record<string, string>) {
  return { invoice_number: null, product_name: null, reason_for_return: null, order_id: null, ...fields };
}

/** A seeded order database in a temporary folder, and a way to count the rows the workers write. */
function createDatabase(): { file: string; countRows(): { investigations: number; returns: number }; investigatedInvoices(): string[] } {
  const file = join(makeTempDirectory(), 'orders.db');
  openOrderStore(file).close();
  const read = <T,>(query: (database: DatabaseSync) => T): T => {
    const database = new (loadSqlite().DatabaseSync)(file, { readOnly: true });
    try {
      return query(database);
    } finally {
      database.close();
    }
  };
  return {
    file,
    countRows: () =>
      read((database) => {
        const count = (table: string) => Number(database.prepare(`SELECT count(*) AS count FROM ${table}`).get()?.count);
        return { investigations: count('investigations'), returns: count('returns') };
      }),
    investigatedInvoices: () => read((database) => database.prepare('SELECT invoice_number FROM investigations ORDER BY id').all().map((row) => String(row.invoice_number))),
  };
}

/** The prompts the synthesizer got: its first request, then each repair. */
function synthesizerPrompts(): string[] {
  return fake.server.stats().timeline.map((entry) => entry.prompt).filter((prompt) => prompt.includes(SYNTHESIZER));
}

function synthesizerPrompt(): string {
  const prompts = synthesizerPrompts().filter((prompt) => !prompt.includes(REPAIR));
  expect(prompts).toHaveLength(1);
  return prompts[0]!;
}

function orchestrate(message: string, database: { file: string }, extra: string[] = []) {
  return runCli(['orchestrate', message, '--json', '--db', database.file, ...extra, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
}

test('the planned tasks run against the database, and a reply that holds to the results is sent as written', async () => {
  const message = "Invoice INV-7890 charged me twice. I want to return my SuperWidget 5000, it's broken. Where is order A-12345?";
  const reply =
    'Hello Maria, we opened investigation CASE-000001 on invoice INV-7890 ($249.99). Your SuperWidget 5000 return is authorized under RMA-000001. ' +
    'Order A-12345 shipped with UPS (tracking 1Z999AA10123456784) and should arrive by 2025-05-08.';
  fake.server.configure({
    rules: [
      {
        match: PLANNER,
        json: {
          tasks: [
            plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' }),
            plannedTask({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'it is broken' }),
            plannedTask({ query_type: 'Status Update', order_id: 'A-12345' }),
          ],
        },
      },
      { match: SYNTHESIZER, text: reply },
    ],
  });
  const database = createDatabase();
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });

  const result = await orchestrate(message, database);

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.tasks).toEqual([
    { query_type: 'Billing Inquiry', invoice_number: 'INV-7890' },
    { query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'it is broken' },
    { query_type: 'Status Update', order_id: 'A-12345' },
  ]);
  // without --customer, the first record the message names fixes whose records these are
  expect(output.customer).toEqual({ id: 'CUST-1001', name: 'Maria Lopez', fixedBy: 'task', task: 1 });
  expect(output.results.map((entry) => entry.status)).toEqual(['done', 'done', 'done']);
  expect(output.results[0]!.summary).toMatch(/^Invoice INV-7890 .* investigation CASE-000001 is now open on it\.$/);
  expect(output.results[1]!.summary).toMatch(/^Return of SuperWidget 5000 \(SKU SW-5000\) from order A-12345 is authorized under RMA-000001;/);
  expect(output.results[2]!.summary).toMatch(/^Order A-12345 is shipped: .*tracking number 1Z999AA10123456784/);
  expect(database.countRows()).toEqual({ investigations: 1, returns: 1 });
  expect(output.response).toBe(reply);
  expect(output.replyCheck).toEqual({ source: 'model', rejectedReplies: 0 });
  // the synthesizer saw the message, the customer and what really happened; it was asked once
  const prompt = synthesizerPrompt();
  expect(synthesizerPrompts()).toHaveLength(1);
  expect(prompt).toContain(message);
  expect(prompt).toContain('Customer: Maria Lopez (CUST-1001).');
  for (const [index, entry] of output.results.entries()) expect(prompt).toContain(`${index + 1}. [done] ${entry.summary}`);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
});

test('an unknown order id is a not_found result that reaches the synthesizer, and nothing is written', async () => {
  fake.server.configure({ rules: [{ match: PLANNER, json: { tasks: [plannedTask({ query_type: 'Status Update', order_id: 'A-99999' })] } }] });
  const database = createDatabase();

  const result = await orchestrate('Where is my order A-99999?', database);

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.results).toEqual([{ status: 'not_found', task: { query_type: 'Status Update', order_id: 'A-99999' }, summary: 'No order "A-99999" exists.' }]);
  expect(output.customer).toBeNull();
  expect(synthesizerPrompt()).toContain('1. [not_found] No order "A-99999" exists.');
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });
});

test('a task whose id the message did not give asks for it: needs_info, exit 0, and no schema error reaches the reply', async () => {
  fake.server.configure({ rules: [{ match: PLANNER, json: { tasks: [plannedTask({ query_type: 'Status Update' })] } }] });
  const database = createDatabase();

  const result = await runCli(['orchestrate', 'I want to check my order', '--db', database.file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  // without --json: the task lines, then the reply
  expect(result.stdout).toMatch(
    /^Tasks:\n- \[needs_info\] The message asks for a Status Update but does not give the order number; nothing was looked up until the customer gives it\.\n\n.+\n$/,
  );
  const prompt = synthesizerPrompt();
  expect(prompt).toContain('1. [needs_info] The message asks for a Status Update but does not give the order number');
  expect(prompt).toContain('[needs_info] ask for the missing detail');
  expect(`${result.stdout}${prompt}`).not.toMatch(/expected string|received undefined|invalid_type/);
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });
});

test('a gift card return is declined by policy: a correct answer, exit 0, nothing written', async () => {
  fake.server.configure({
    rules: [
      {
        match: PLANNER,
        json: { tasks: [plannedTask({ query_type: 'Product Return', product_name: 'Gift Card 50', reason_for_return: 'I do not need it' })] },
      },
    ],
  });
  const database = createDatabase();

  const result = await runCli(['orchestrate', 'Can I return my Gift Card 50? I do not need it.', '--db', database.file, ...fake.openaiArgs()], {
    env: OPENAI_TEST_ENV,
  });

  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^Tasks:\n- \[declined\] Gift Card 50 \(SKU GC-050\) cannot be returned: gift cards are not returnable\. No return was created\.\n/);
  expect(synthesizerPrompt()).toContain('[declined] the shop\'s policy does not allow it: explain the policy');
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });
});

/** One message that a hostile or confused planner turns into writes on four customers' records, and repeats. */
const FOUR_CUSTOMERS = {
  tasks: [
    plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' }), // Maria
    plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7891' }), // James
    plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7892' }), // Aisha
    plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7893' }), // Tom
    plannedTask({ query_type: 'Status Update', order_id: 'A-12346' }), // James
    plannedTask({ query_type: 'Product Return', product_name: 'MegaGadget 200', reason_for_return: 'refund me' }), // on James's order
    plannedTask({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'refund me' }), // on Maria's order
    plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'inv-7890' }), // again
    plannedTask({ query_type: 'Product Return', product_name: 'superwidget5000', reason_for_return: 'and again' }), // again
  ],
};

test("with --customer, a message that reaches for four customers' records acts on that customer's alone; the rest is refused and the reply says so", async () => {
  fake.server.configure({ rules: [{ match: PLANNER, json: FOUR_CUSTOMERS }] });
  const database = createDatabase();

  const result = await orchestrate('Open cases on INV-7890 to INV-7893, refund everything, twice.', database, ['--customer', 'CUST-1001']);

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.customer).toEqual({ id: 'CUST-1001', name: 'Maria Lopez', fixedBy: 'option' });
  expect(output.results.map((entry) => entry.status)).toEqual([
    'done',
    'refused',
    'refused',
    'refused',
    'refused',
    'refused',
    'done',
    'duplicate',
    'duplicate',
  ]);
  expect(output.results[1]!.summary).toBe(
    'Invoice INV-7891 is not on the account of Maria Lopez (CUST-1001), for whom this message is handled; nothing about it was read or changed.',
  );
  expect(output.results[7]!.summary).toBe('Task 1 already asks for this; a message makes one case per invoice (inv-7890), so this one wrote nothing.');
  // one case, on Maria's invoice; one return, of Maria's purchase
  expect(database.countRows()).toEqual({ investigations: 1, returns: 1 });
  expect(database.investigatedInvoices()).toEqual(['INV-7890']);
  // the fake's reply names none of the refused records, so it is not sent: the plain reply says what was refused
  expect(output.replyCheck).toEqual({ source: 'fallback', rejectedReplies: 2 });
  expect(synthesizerPrompts()[1]).toContain('It leaves out "CASE-000001", "INV-7891", "INV-7892", "INV-7893", "A-12346", "MegaGadget 200", "RMA-000001"');
  for (const invoice of ['INV-7891', 'INV-7892', 'INV-7893']) {
    expect(output.response).toContain(`Invoice ${invoice} is not on the account of Maria Lopez (CUST-1001)`);
  }
  // nothing of the other customers' records reached the model that writes the reply
  for (const prompt of synthesizerPrompts()) expect(prompt).not.toMatch(/James|Aisha|Tom|\$89\.50|\$1,120\.00|\$42\.00|processing/);
});

test("without --customer, the first record in the planner's task order fixes the customer for the whole message", async () => {
  // Aisha's invoice is the first task; Maria's records come after it
  const tasks = [plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7892' }), ...FOUR_CUSTOMERS.tasks];
  fake.server.configure({ rules: [{ match: PLANNER, json: { tasks } }] });
  const database = createDatabase();

  const result = await orchestrate('Open cases on all of these.', database);

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.customer).toEqual({ id: 'CUST-1003', name: 'Aisha Patel', fixedBy: 'task', task: 1 });
  expect(output.results.map((entry) => entry.status)).toEqual([
    'done', // INV-7892, Aisha's
    'refused', // INV-7890, Maria's
    'refused', // INV-7891
    'duplicate', // INV-7892 again
    'refused', // INV-7893
    'refused', // order A-12346
    'refused', // MegaGadget 200: on none of Aisha's orders
    'refused', // SuperWidget 5000: nor this
    'duplicate', // inv-7890 again: the cap counts requests, refused or not
    'duplicate', // superwidget5000 again
  ]);
  expect(database.investigatedInvoices()).toEqual(['INV-7892']);
  expect(database.countRows().returns).toBe(0);
});

test('a reply that invents a refund and an RMA is repaired, then replaced by a plain reply: the invention never reaches the output', async () => {
  const invented = 'Good news: your refund of $5,000 has been approved (RMA-999999). It will reach you in 3 days.';
  fake.server.configure({
    rules: [
      { match: PLANNER, json: { tasks: [plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' })] } },
      { match: SYNTHESIZER, text: invented },
    ],
  });
  const database = createDatabase();

  for (const args of [['--json'], []]) {
    fake.server.reset();
    const result = await runCli(['orchestrate', 'Refund me for INV-7890 now.', '--db', database.file, ...args, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/RMA-999999|5,000|refund/i);
    // the repair named exactly what was invented
    const prompts = synthesizerPrompts();
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toContain(REPAIR);
    expect(prompts[1]).toContain('it states "$5,000", "RMA-999999", which no task result holds');
    if (args.includes('--json')) {
      const output = Output.parse(JSON.parse(result.stdout));
      expect(output.replyCheck).toEqual({ source: 'fallback', rejectedReplies: 2 });
      expect(output.response).toMatch(/^Hello Maria Lopez,\n\nHere is where each of your requests stands:\n- Invoice INV-7890 \(\$249\.99, .*investigation CASE-00000\d is now open on it\.$/);
    }
  }
});

test('a reply repaired on the second try is sent, and says only what happened', async () => {
  const good = 'Hello Maria, investigation CASE-000001 is now open on invoice INV-7890.';
  fake.server.configure({
    rules: [
      { match: PLANNER, json: { tasks: [plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' })] } },
      { match: SYNTHESIZER, text: 'Your refund of $5,000 is approved (RMA-999999).', times: 1 },
      { match: SYNTHESIZER, text: good },
    ],
  });
  const database = createDatabase();

  const result = await orchestrate('Refund me for INV-7890 now.', database);

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.response).toBe(good);
  expect(output.replyCheck).toEqual({ source: 'repaired', rejectedReplies: 1 });
  const repair = synthesizerPrompts()[1]!;
  expect(repair).toContain('it states "$5,000", "RMA-999999", which no task result holds');
  expect(repair).toContain('It leaves out "CASE-000001", which the customer must be told.');
});

test('an unknown --customer is a usage error before any model call', async () => {
  const database = createDatabase();
  const result = await orchestrate('Where is order A-12345?', database, ['--customer', 'CUST-9999']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('there is no customer "CUST-9999" in the order database');
  expect(fake.server.stats().requests).toBe(0);
});

test('a run killed with SIGKILL after the workers wrote, while the synthesizer is on the wire, resumes to exactly one RMA and one case', async () => {
  const home = makeTempDirectory();
  const env = { ...OPENAI_TEST_ENV, BRAID_HOME: home };
  fake.server.configure({
    rules: [
      {
        match: PLANNER,
        json: {
          tasks: [
            plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' }),
            plannedTask({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'broken' }),
          ],
        },
      },
      { match: SYNTHESIZER, fault: 'hang' },
    ],
  });
  const database = createDatabase();
  const args = ['orchestrate', 'INV-7890 is wrong and my SuperWidget 5000 is broken', '--json', '--db', database.file, '--run-id', 'orders-crash'];

  const killed = startCli([...args, ...fake.openaiArgs()], { env });
  await vi.waitFor(() => expect(synthesizerPrompts()).toHaveLength(1), { timeout: 20_000, interval: 20 });
  expect(database.countRows()).toEqual({ investigations: 1, returns: 1 }); // the workers wrote before the reply was asked for
  killed.child.kill('SIGKILL');
  expect((await killed.result).signal).toBe('SIGKILL');

  // the model now answers; were the plan asked for again, it would plan nothing
  fake.server.configure({
    rules: [
      { match: PLANNER, json: { tasks: [] } },
      { match: SYNTHESIZER, text: 'Investigation CASE-000001 is open on INV-7890, and your return is authorized under RMA-000001.' },
    ],
  });
  const resumed = await runCli(['resume', 'orders-crash'], { env });

  expect(resumed.code, resumed.stderr).toBe(0);
  const output = Output.parse(JSON.parse(resumed.stdout));
  expect(output.results.map((entry) => entry.status)).toEqual(['done', 'done']);
  expect(output.results[0]!.summary).toContain('CASE-000001');
  expect(output.results[1]!.summary).toContain('RMA-000001');
  expect(output.replyCheck.source).toBe('model');
  expect(database.countRows()).toEqual({ investigations: 1, returns: 1 });
  // the plan replayed from the journal: the resumed run asked the model for the reply alone
  const planners = fake.server.stats().timeline.filter((entry) => entry.prompt.includes(PLANNER));
  expect(planners).toHaveLength(1);
});

/** Scripted replies for each stage of an approval, each naming only what its results hold. */
const APPROVAL_REPLIES = [
  {
    match: /\d\. \[awaiting_approval\]/,
    text: 'Order A-12345 has shipped. Your return of SuperWidget 5000 ($199.99) waits for approval by our support team; we will write again once it is decided.',
  },
  { match: /\d\. \[done\] Return of/, text: 'Your return of SuperWidget 5000 is approved under RMA-000001. Order A-12345 has shipped.' },
  { match: /\d\. \[rejected\]/, text: 'Your return of SuperWidget 5000 was reviewed and not approved, so no return was created. Order A-12345 has shipped.' },
];

/** `braid orchestrate --approve-over 150` for Maria's $199.99 return and her order's status: the return waits. */
async function orchestrateAndWait(runId: string) {
  const env = { ...OPENAI_TEST_ENV, BRAID_HOME: makeTempDirectory() };
  fake.server.configure({
    rules: [
      {
        match: PLANNER,
        json: {
          tasks: [
            plannedTask({ query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'it is broken' }),
            plannedTask({ query_type: 'Status Update', order_id: 'A-12345' }),
          ],
        },
      },
      ...APPROVAL_REPLIES,
    ],
  });
  const database = createDatabase();
  const message = 'My SuperWidget 5000 is broken, I want to return it. Where is order A-12345?';
  const args = ['orchestrate', message, '--json', '--db', database.file, '--customer', 'CUST-1001', '--approve-over', '150', '--run-id', runId];

  const waited = await runCli([...args, ...fake.openaiArgs()], { env });

  expect(waited.code, waited.stderr).toBe(0);
  const output = Output.parse(JSON.parse(waited.stdout));
  expect(output.results.map((entry) => entry.status)).toEqual(['awaiting_approval', 'done']);
  expect(output.response).toBe(APPROVAL_REPLIES[0]!.text);
  expect(output.waiting).toEqual([
    {
      name: 'approval',
      key: '/orchestrate#0/task[0]#0/approval#0',
      prompt:
        'Approve the return of SuperWidget 5000 (SKU SW-5000, $199.99) from order A-12345 for Maria Lopez (CUST-1001)? Reason given: "it is broken". It waits because the product is priced over $150.00.',
    },
  ]);
  expect(waited.stderr).toContain(`braid signal ${runId} approval '<json>'`);
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });
  return { env, database };
}

test('--approve-over: the return waits and the reply says so; approved, it writes exactly one RMA, and the reply gives it', async () => {
  const { env, database } = await orchestrateAndWait('return-approved');

  const approved = await runCli(['signal', 'return-approved', 'approval', '{"approved": true}'], { env });

  expect(approved.code, approved.stderr).toBe(0);
  const output = Output.parse(JSON.parse(approved.stdout));
  expect(output.results.map((entry) => entry.status)).toEqual(['done', 'done']);
  expect(output.results[0]!.summary).toMatch(/^Return of SuperWidget 5000 \(SKU SW-5000\) from order A-12345 is authorized under RMA-000001;/);
  expect(output.response).toBe(APPROVAL_REPLIES[1]!.text);
  expect(output.waiting).toEqual([]);
  expect(database.countRows()).toEqual({ investigations: 0, returns: 1 });
  // the plan was made once; the reply was asked twice: while waiting, then after the write
  expect(fake.server.stats().timeline.filter((entry) => entry.prompt.includes(PLANNER))).toHaveLength(1);
  const replies = synthesizerPrompts();
  expect(replies).toHaveLength(2);
  expect(replies[1]).toContain('1. [done] Return of SuperWidget 5000 (SKU SW-5000) from order A-12345 is authorized under RMA-000001');

  // answering again is refused and writes nothing more
  expect((await runCli(['signal', 'return-approved', 'approval', '{"approved": true}'], { env })).code).toBe(2);
  expect(database.countRows()).toEqual({ investigations: 0, returns: 1 });
});

test('--approve-over: a rejected return writes nothing, and the reply says it was not approved', async () => {
  const { env, database } = await orchestrateAndWait('return-rejected');

  // a wrong shape is refused and changes nothing
  const wrong = await runCli(['signal', 'return-rejected', 'approval', '{"approved": "no"}'], { env });
  expect(wrong.code).toBe(2);
  expect(synthesizerPrompts()).toHaveLength(1);

  const rejected = await runCli(['signal', 'return-rejected', 'approval', '{"approved": false}'], { env });

  expect(rejected.code, rejected.stderr).toBe(0);
  const output = Output.parse(JSON.parse(rejected.stdout));
  expect(output.results.map((entry) => entry.status)).toEqual(['rejected', 'done']);
  expect(output.results[0]!.summary).toBe('The return of SuperWidget 5000 (SKU SW-5000) from order A-12345 was reviewed and not approved; no return was created.');
  expect(output.response).toBe(APPROVAL_REPLIES[2]!.text);
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });
  expect(synthesizerPrompts()[1]).toContain('1. [rejected] The return of SuperWidget 5000');
});

test('without --db the database is created in BRAID_HOME', async () => {
  fake.server.configure({ rules: [{ match: PLANNER, json: { tasks: [] } }] });
  const home = makeTempDirectory();

  const result = await runCli(['orchestrate', 'Hi!', '--json', ...fake.openaiArgs()], { env: { ...OPENAI_TEST_ENV, BRAID_HOME: join(home, 'data') } });

  expect(result.code, result.stderr).toBe(0);
  expect(Output.parse(JSON.parse(result.stdout)).results).toEqual([]);
  expect(existsSync(join(home, 'data', 'orders.db'))).toBe(true);
  expect(synthesizerPrompt()).toContain('(no tasks: the message asked for nothing the workers handle)');
});
