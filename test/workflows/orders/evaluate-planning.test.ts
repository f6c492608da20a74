import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { createRuntime } from '../../../src/index.js';
import { InputError } from '../../../src/core/errors.js';
import { evaluatePlanning, parseLabelledMessages } from '../../../src/workflows/orders/evaluate-planning.js';
import { handleOrderQuery } from '../../../src/workflows/orders/handle-order-query.js';
import { openOrderStore } from '../../../src/workflows/orders/order-store.js';
import { planOrderTasks } from '../../../src/workflows/orders/plan-order-tasks.js';
import { startFakeProvider, type FakeRule } from '../../fake-provider/index.js';
import { modelOn, QUICK_RETRY } from '../../support/wire-models.js';

const PLANNER = 'You turn a customer message into a list of tasks';

async function setup(rules: FakeRule[] = []) {
  const server = await startFakeProvider({ rules });
  onTestFinished(() => server.close());
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  return { server, braid };
}

/** A planner task as the model emits it: every field of every task type, null where it does not apply. */
function plannedTask(fields: Record<string, string>) {
  return { invoice_number: null, product_name: null, reason_for_return: null, order_id: null, ...fields };
}

/** Scripts the planner's answer for one message. */
function planAs(message: string, tasks: Record<string, string>[]): FakeRule {
  return { match: `Customer message:\n${message}`, json: { tasks: tasks.map(plannedTask) } };
}

const LABELLED = [
  '{"q": "Where is order A-12345?", "tasks": [{"query_type": "Status Update", "order_id": "A-12345"}]}',
  '{"q": "INV-7890 charged me twice, and where is A-12346?", "tasks": [{"query_type": "Billing Inquiry", "invoice_number": "INV-7890"}, {"query_type": "Status Update", "order_id": "A-12346"}]}',
  '{"q": "I want to return my SuperWidget 5000", "tasks": [{"query_type": "Product Return", "product_name": "SuperWidget 5000", "reason_for_return": "broken"}]}',
  '{"q": "Do you ship to Canada?", "tasks": [], "note": "nothing for the workers"}',
  '{"q": "Return my MegaGadget 200 and find A-99999", "tasks": [{"query_type": "Product Return", "product_name": "MegaGadget 200"}, {"query_type": "Status Update", "order_id": "A-99999"}]}',
  '{"q": "Where is my order?", "tasks": [{"query_type": "Status Update", "order_id": null}]}',
  '{"q": "Check INV-7891 and INV-7893", "tasks": [{"query_type": "Billing Inquiry", "invoice_number": "INV-7891"}, {"query_type": "Billing Inquiry", "invoice_number": "INV-7893"}]}',
].join('\n');

test('type precision and recall, id accuracy, exact plans and misses, from scripted plans', async () => {
  const { server, braid } = await setup([
    planAs('Where is order A-12345?', [{ query_type: 'Status Update', order_id: ' a-12345 ' }]), // case and spaces do not matter
    planAs('INV-7890 charged me twice', [
      { query_type: 'Status Update', order_id: 'A-12346' },
      { query_type: 'Billing Inquiry', invoice_number: 'INV-7980' }, // the right type, a wrong id
    ]),
    planAs('I want to return my SuperWidget 5000', [
      { query_type: 'Product Return', product_name: 'superwidget 5000', reason_for_return: 'broken' },
      { query_type: 'Status Update' }, // an extra task, with no id
    ]),
    planAs('Do you ship to Canada?', []),
    { match: 'Customer message:\nReturn my MegaGadget 200', status: 400 }, // the planner fails
    planAs('Where is my order?', [{ query_type: 'Status Update' }]), // no id given, none invented: right
    planAs('Check INV-7891 and INV-7893', [
      { query_type: 'Billing Inquiry', invoice_number: 'INV-7893' }, // the other order still pairs by id
      { query_type: 'Billing Inquiry', invoice_number: 'INV-7891' },
    ]),
  ]);
  const labelled = parseLabelledMessages(LABELLED);

  const { report } = await braid.group('eval', (run) => evaluatePlanning(run, labelled));

  expect(report).toMatchObject({ messages: 7, exactMatches: 4, exactMatchRate: 4 / 7, failed: 1 });
  expect(report.tasks).toEqual({ expected: 9, predicted: 8, matched: 7, precision: 7 / 8, recall: 7 / 9, f1: expect.closeTo(14 / 17) });
  expect(report.perType).toEqual({
    'Billing Inquiry': { expected: 3, predicted: 3, matched: 3, precision: 1, recall: 1, f1: 1 },
    'Product Return': { expected: 2, predicted: 1, matched: 1, precision: 1, recall: 0.5, f1: expect.closeTo(2 / 3) },
    'Status Update': { expected: 4, predicted: 4, matched: 3, precision: 0.75, recall: 0.75, f1: expect.closeTo(0.75) },
  });
  expect(report.ids).toEqual({ compared: 7, correct: 6, accuracy: 6 / 7 });
  expect(report.misses.map((miss) => [miss.line, miss.problems])).toEqual([
    [2, ['Billing Inquiry: invoice_number "INV-7980", expected "INV-7890"']],
    [3, ['extra Status Update (order_id none)']],
    [5, [expect.stringMatching(/^the planner failed: .*400/), 'missing Product Return (product_name "MegaGadget 200")', 'missing Status Update (order_id "A-99999")']],
  ]);
  expect(report.misses[1]!.predicted).toEqual([
    { query_type: 'Product Return', product_name: 'superwidget 5000', reason_for_return: 'broken' },
    { query_type: 'Status Update' },
  ]);
  expect(report.misses[2]).toMatchObject({ predicted: [], error: expect.stringMatching(/400/) });
  // only the planner ran: no worker, no synthesizer
  expect(server.stats().timeline.every((entry) => entry.prompt.includes(PLANNER))).toBe(true);
});

test('the evaluation plans with the very prompt handleOrderQuery sends, and splits valid from invalid tasks', async () => {
  const message = 'Where is A-12345? And my other order?';
  const { server, braid } = await setup([planAs(message, [{ query_type: 'Status Update', order_id: 'A-12345' }, { query_type: 'Status Update' }])]);
  const directory = mkdtempSync(join(tmpdir(), 'braid-eval-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  const store = openOrderStore(join(directory, 'orders.db'));
  onTestFinished(() => store.close());

  await handleOrderQuery(braid, message, store);
  const planned = await planOrderTasks(braid, message);

  expect(planned.tasks).toEqual([{ query_type: 'Status Update', order_id: 'A-12345' }]);
  expect(planned.invalid).toEqual([{ task: { query_type: 'Status Update' }, error: expect.stringMatching(/order_id/) }]);
  const plans = server.stats().timeline.map((entry) => entry.prompt).filter((prompt) => prompt.includes(PLANNER));
  expect(plans).toHaveLength(2);
  expect(plans[1]).toBe(plans[0]);
});

test('a bad labelled line is an InputError naming its line', () => {
  const good = '{"q": "Where is A-12345?", "tasks": [{"query_type": "Status Update", "order_id": "A-12345"}]}';
  expect(() => parseLabelledMessages(`${good}\n{"q": "x", "tasks": [{"query_type": "Refund", "order_id": "A-1"}]}`, { source: 'm.jsonl' })).toThrow(
    /^m\.jsonl line 2 is invalid: tasks\.0\.query_type/,
  );
  // a misspelt id field would otherwise score nothing, silently
  expect(() => parseLabelledMessages(`{"q": "x", "tasks": [{"query_type": "Status Update", "order_number": "A-1"}]}`, { source: 'm.jsonl' })).toThrow(
    /^m\.jsonl line 1 is invalid: .*order_number/,
  );
  expect(() => parseLabelledMessages('not json', { source: 'm.jsonl' })).toThrow(InputError);
});
