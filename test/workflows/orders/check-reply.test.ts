import { expect, expectTypeOf, test } from 'vitest';
import { checkReply, identifiersIn, moneyIn } from '../../../src/workflows/orders/check-reply.js';
import type { OrderQueryType, PlannedOrderTask } from '../../../src/workflows/orders/order-tasks.js';

const FACTS = {
  texts: [
    'Invoice INV-7890 ($249.99, issued 2025-05-02, due 2025-06-01) is disputed; investigation CASE-000001 is now open on it.',
    'Order A-12345 is shipped: placed on 2025-05-01; carrier UPS; tracking number 1Z999AA10123456784.',
    JSON.stringify({ returnAuthorization: { rmaNumber: 'RMA-000001', createdAt: '2025-06-01T12:00:00.000Z' } }),
  ],
  amountsCents: [19_999],
  mustMention: ['CASE-000001', 'A-12345', 'SuperWidget 5000'],
};

test('money is read in the forms people write it, and compared in cents', () => {
  expect(moneyIn('a refund of $5,000, USD 12.5, 3 dollars, $5k, €30.10 and 249.99 USD').map((amount) => amount.cents)).toEqual([
    500_000, 1_250, 300, 500_000, 3_010, 24_999,
  ]);
  expect(moneyIn('5 items on 2025-05-08, order A-12345')).toEqual([]);
});

test('identifiers are prefixed ids and long numbers; amounts and ordinary words are not', () => {
  expect(identifiersIn('RMA-999999, 1Z999AA10123456784, 2025-05-08, top-10, COVID-19, order A-12345, $123,456')).toEqual([
    'RMA-999999',
    '1Z999AA10123456784',
    '2025-05-08',
    'A-12345',
  ]);
});

test('a reply that holds to the facts passes, whatever its wording and the case of its ids', () => {
  const reply =
    'Hello Maria! Case case-000001 is open on INV-7890 (249.99 USD). Order A-12345 is on its way, tracking 1Z999AA10123456784. ' +
    'Your superwidget 5000 ($199.99) return, rma-000001, was created 2025-06-01.';
  expect(checkReply(reply, FACTS)).toEqual({ invented: [], omitted: [] });
});

test('an invented id or amount, or one a digit away from a real one, is named; so is a record left out', () => {
  const reply = 'Your refund of $5,000 is approved (RMA-999999, RMA-00000), order A-1234 arrives 2025-05-09; invoice total $250.';
  expect(checkReply(reply, FACTS)).toEqual({
    invented: ['$5,000', '$250', 'RMA-999999', 'RMA-00000', 'A-1234', '2025-05-09'],
    omitted: ['CASE-000001', 'A-12345', 'SuperWidget 5000'],
  });
});

test('the planner sees every task type the workers handle', () => {
  expectTypeOf<PlannedOrderTask['query_type']>().toEqualTypeOf<OrderQueryType>();
});
