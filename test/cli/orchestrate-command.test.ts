import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { openOrderStore } from '../../src/workflows/orders/order-store.js';
import { makeTempDirectory, PROGRESS_ESCAPES, runCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const PLANNER = 'You turn a customer message into a list of tasks';
const SYNTHESIZER = 'You write one reply to the customer';
const Output = z.object({
  tasks: z.array(z.record(z.string(), z.unknown())),
  results: z.array(z.object({ status: z.enum(['done', 'not_found', 'failed']), task: z.record(z.string(), z.unknown()), summary: z.string() })),
  response: z.string().min(1),
});

/** A planner task as the model emits it: every field of every task type, null where it does not apply. */
function plannedTask(fields: Record<string, string>) {
  return { invoice_number: null, product_name: null, reason_for_return: null, order_id: null, ...fields };
}

/** A seeded order database in a temporary folder, and a way to count the rows the workers write. */
function createDatabase(): { file: string; countRows(): { investigations: number; returns: number } } {
  const file = join(makeTempDirectory(), 'orders.db');
  openOrderStore(file).close();
  return {
    file,
    countRows() {
      const database = new DatabaseSync(file, { readOnly: true });
      try {
        const count = (table: string) => Number(database.prepare(`SELECT count(*) AS count FROM ${table}`).get()?.count);
        return { investigations: count('investigations'), returns: count('returns') };
      } finally {
        database.close();
      }
    },
  };
}

function synthesizerPrompt(): string {
  const prompts = fake.server.stats().timeline.map((entry) => entry.prompt).filter((prompt) => prompt.includes(SYNTHESIZER));
  expect(prompts).toHaveLength(1);
  return prompts[0]!;
}

test('the planned tasks run against the database, and the reply is written from their results', async () => {
  const message = "Invoice INV-7890 charged me twice. I want to return my SuperWidget 5000, it's broken. Where is order A-12345?";
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
    ],
  });
  const database = createDatabase();
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });

  const result = await runCli(['orchestrate', message, '--json', '--db', database.file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.tasks).toEqual([
    { query_type: 'Billing Inquiry', invoice_number: 'INV-7890' },
    { query_type: 'Product Return', product_name: 'SuperWidget 5000', reason_for_return: 'it is broken' },
    { query_type: 'Status Update', order_id: 'A-12345' },
  ]);
  expect(output.results.map((entry) => entry.status)).toEqual(['done', 'done', 'done']);
  expect(output.results[0]!.summary).toMatch(/^Invoice INV-7890 .* investigation CASE-000001 is now open on it\.$/);
  expect(output.results[1]!.summary).toMatch(/^Return of SuperWidget 5000 \(SKU SW-5000\) is authorized under RMA-000001;/);
  expect(output.results[2]!.summary).toMatch(/^Order A-12345 is shipped: .*tracking number 1Z999AA10123456784/);
  expect(database.countRows()).toEqual({ investigations: 1, returns: 1 });
  // the synthesizer saw the message and what really happened
  const prompt = synthesizerPrompt();
  expect(prompt).toContain(message);
  for (const [index, entry] of output.results.entries()) expect(prompt).toContain(`${index + 1}. [done] ${entry.summary}`);
  expect(result.stderr).not.toMatch(PROGRESS_ESCAPES);
});

test('an unknown order id is a not_found result that reaches the synthesizer, and nothing is written', async () => {
  fake.server.configure({ rules: [{ match: PLANNER, json: { tasks: [plannedTask({ query_type: 'Status Update', order_id: 'A-99999' })] } }] });
  const database = createDatabase();

  const result = await runCli(['orchestrate', 'Where is my order A-99999?', '--json', '--db', database.file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  const output = Output.parse(JSON.parse(result.stdout));
  expect(output.results).toEqual([{ status: 'not_found', task: { query_type: 'Status Update', order_id: 'A-99999' }, summary: 'No order "A-99999" exists.' }]);
  expect(synthesizerPrompt()).toContain('1. [not_found] No order "A-99999" exists.');
  expect(database.countRows()).toEqual({ investigations: 0, returns: 0 });
});

test('a planned task missing its id fails alone, the synthesizer is told, exit code 1', async () => {
  fake.server.configure({
    rules: [
      {
        match: PLANNER,
        json: { tasks: [plannedTask({ query_type: 'Billing Inquiry' }), plannedTask({ query_type: 'Billing Inquiry', invoice_number: 'INV-7890' })] },
      },
    ],
  });
  const database = createDatabase();

  const result = await runCli(['orchestrate', 'I was overcharged, also check INV-7890', '--db', database.file, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(1);
  // without --json: the task lines, then the reply
  expect(result.stdout).toMatch(/^Tasks:\n- \[failed\] the task could not run: invoice_number: .+\n- \[done\] Invoice INV-7890 .+\n\n.+\n$/);
  expect(synthesizerPrompt()).toMatch(/1\. \[failed\] \{"query_type":"Billing Inquiry"\}: invoice_number: /);
  expect(database.countRows()).toEqual({ investigations: 1, returns: 0 });
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
