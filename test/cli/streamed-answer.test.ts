import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openOrderStore } from '../../src/workflows/orders/order-store.js';
import type { FakeRule } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, startCliInTerminal } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const QUERY = 'My invoice shows a double charge';
const ANSWER = 'I am sorry about the double charge. I have flagged invoice INV-7890 for a refund, which reaches your card within five working days.';
const BILLING = 'You are a billing specialist';

/** The classifier sends QUERY to billing, whose specialist answers ANSWER (with whitespace around it, as models do). */
const billingRules = (): FakeRule[] => [
  { match: new RegExp(`Classify customer queries[\\s\\S]*Query: ${QUERY}`), json: { intent: 'Billing Inquiry' } },
  { match: BILLING, text: `\n  ${ANSWER}\n` },
];

/** Whether the request whose prompt contains `text` asked for a streamed answer. */
function wasStreamed(text: string): boolean[] {
  return fake.server
    .stats()
    .timeline.filter((entry) => entry.prompt.includes(text))
    .map((entry) => (entry.body as { stream?: boolean }).stream === true);
}

/** Runs `braid ...args` on a terminal, keeping what the terminal had shown after each piece it got. */
async function runOnTerminal(args: string[]) {
  const screens: string[] = [];
  let shown = '';
  const cli = startCliInTerminal(args, { env: OPENAI_TEST_ENV, onOutput: (piece) => screens.push((shown += piece)) });
  const result = await cli.result;
  return { ...result, screens };
}

test('braid route on a terminal writes the answer as it is generated, in many pieces before it exits', async () => {
  fake.server.configure({ rules: billingRules(), latencyPerTokenMs: 8 });

  const { code, stdout, screens } = await runOnTerminal(['route', QUERY, ...fake.openaiArgs()]);

  expect(code, stdout).toBe(0);
  expect(stdout).toContain(`Intent: Billing Inquiry\r\n\r\n${ANSWER}\r\n`);
  // the terminal showed the answer's start while its end was still to come, more than once
  const partlyShown = screens.filter((screen) => screen.includes('I am sorry') && !screen.includes('five working days.'));
  expect(partlyShown.length).toBeGreaterThan(1);
  // the progress line was cleared before the answer, and never drawn over it
  const answerAt = stdout.indexOf('Intent: Billing Inquiry');
  expect(stdout.slice(0, answerAt)).toMatch(/\r\u001b\[2K$/);
  expect(stdout.slice(answerAt)).not.toContain('\u001b[2K');
  expect(wasStreamed(BILLING)).toEqual([true]);
});

test('an answer cut off mid-stream is erased from the terminal and written again whole', async () => {
  // long enough that the half sent before the cut wraps onto a second row of the 100-column terminal
  const long = `${ANSWER} ${ANSWER}`;
  fake.server.configure({
    rules: [
      { match: new RegExp(`Classify customer queries[\\s\\S]*Query: ${QUERY}`), json: { intent: 'Billing Inquiry' } },
      { match: BILLING, text: long, fault: 'cutMidStream', times: 1 },
      { match: BILLING, text: long },
    ],
    latencyPerTokenMs: 2,
  });

  const { code, stdout } = await runOnTerminal(['route', QUERY, ...fake.openaiArgs()]);

  expect(code, stdout).toBe(0);
  const answer = stdout.slice(stdout.indexOf('Intent: Billing Inquiry\r\n\r\n') + 'Intent: Billing Inquiry\r\n\r\n'.length);
  // part of the first answer; then back up one row to the answer's start, clear to the screen's end; then the whole answer
  const [cutShort, rewritten, ...rest] = answer.split('\r\u001b[1A\u001b[J');
  expect(rest, JSON.stringify(answer)).toEqual([]);
  expect(cutShort!.length).toBeGreaterThan(100);
  expect(long.startsWith(cutShort!)).toBe(true);
  expect(rewritten!.startsWith(`${long}\r\n`)).toBe(true);
  expect(wasStreamed(BILLING)).toEqual([true, true]);
});

test('braid orchestrate on a terminal prints the tasks, then streams the checked reply', async () => {
  const reply = 'Hello Maria, your order A-12345 has shipped with UPS and should arrive by 2025-05-08; its tracking number is 1Z999AA10123456784.';
  fake.server.configure({
    latencyPerTokenMs: 8,
    rules: [
      {
        match: 'You turn a customer message into a list of tasks',
        json: { tasks: [{ query_type: 'Status Update', order_id: 'A-12345', invoice_number: null, product_name: null, reason_for_return: null }] },
      },
      { match: 'You write one reply to the customer', text: reply },
    ],
  });
  const database = join(makeTempDirectory(), 'orders.db');
  openOrderStore(database).close();

  const { code, stdout, screens } = await runOnTerminal(['orchestrate', 'Where is my order A-12345?', '--customer', 'CUST-1001', '--db', database, ...fake.openaiArgs()]);

  expect(code, stdout).toBe(0);
  expect(stdout).toMatch(new RegExp(`Tasks:\\r\\n- \\[done\\] [^\\r]*A-12345[^\\r]*\\r\\n\\r\\n${reply.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\r\\n`));
  expect(screens.filter((screen) => screen.includes('Hello Maria') && !screen.includes('1Z999AA10123456784.')).length).toBeGreaterThan(1);
  expect(wasStreamed('You write one reply to the customer')).toEqual([true]);
});

test('--json and pipes print the answer whole, as before: one JSON value, or the text, from an answer not streamed', async () => {
  fake.server.configure({ rules: billingRules(), latencyPerTokenMs: 0 });

  const json = await runCli(['route', QUERY, '--json', ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
  expect(json.code, json.stderr).toBe(0);
  expect(json.stdout).toBe(`${JSON.stringify({ intent: 'Billing Inquiry', response: ANSWER })}\n`);

  const piped = await runCli(['route', QUERY, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });
  expect(piped.code, piped.stderr).toBe(0);
  expect(piped.stdout).toBe(`Intent: Billing Inquiry\n\n${ANSWER}\n`);

  // --json on a terminal is still one JSON value
  const onTerminal = await runOnTerminal(['route', QUERY, '--json', ...fake.openaiArgs()]);
  expect(onTerminal.code, onTerminal.stdout).toBe(0);
  expect(onTerminal.stdout).toContain(`${JSON.stringify({ intent: 'Billing Inquiry', response: ANSWER })}\r\n`);
  expect(wasStreamed(BILLING)).toEqual([false, false, false]);
});

test('braid route --batch on a terminal does not stream: JSON lines in input order', async () => {
  fake.server.configure({ rules: billingRules(), latencyPerTokenMs: 0 });
  const file = join(makeTempDirectory(), 'tickets.txt');
  writeFileSync(file, `${QUERY}\n${QUERY} again\n`);

  const { code, stdout } = await runOnTerminal(['route', '--batch', file, ...fake.openaiArgs()]);

  expect(code, stdout).toBe(0);
  expect(stdout).toContain(`"query":"${QUERY}"`);
  expect(wasStreamed(BILLING)).toEqual([false, false]);
});
