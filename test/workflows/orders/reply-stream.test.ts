import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { createRuntime } from '../../../src/index.js';
import { handleOrderQuery, openOrderStore, type CheckedReplyStream, type ReplyEvent } from '../../../src/workflows/index.js';
import { startFakeProvider, type FakeRule } from '../../fake-provider/index.js';
import { makeTempDirectory } from '../../support/run-cli.js';
import { modelOn, QUICK_RETRY } from '../../support/wire-models.js';

const PLANNER = 'You turn a customer message into a list of tasks';
const SYNTHESIZER = 'You write one reply to the customer';
const REPAIR = 'Your previous reply was:';
const MESSAGE = 'Where is my order A-12345?';
const STATUS_TASK = { query_type: 'Status Update', order_id: 'A-12345', invoice_number: null, product_name: null, reason_for_return: null };
const GOOD_REPLY = 'Hello Maria, your order A-12345 has shipped with UPS and should arrive by 2025-05-08; its tracking number is 1Z999AA10123456784.';
/** Names a refund the results do not hold, halfway through. */
const INVENTED_REPLY = 'Hello Maria, your order A-12345 has shipped with UPS. We also sent refund RMA-999999 for $5,000 to your card, as promised.';

/** Handles MESSAGE with the reply streamed; returns what the stream showed, and the result. */
async function handleStreamed(rules: FakeRule[]) {
  const server = await startFakeProvider({ latencyPerTokenMs: 2, rules: [{ match: PLANNER, json: { tasks: [STATUS_TASK] } }, ...rules] });
  onTestFinished(() => server.close());
  const orders = openOrderStore(join(makeTempDirectory('braid-reply-stream-'), 'orders.db'));
  onTestFinished(() => orders.close());
  const run = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  const events: ReplyEvent[] = [];
  let reading: Promise<void> | undefined;
  const handled = await handleOrderQuery(run, MESSAGE, orders, {
    customerId: 'CUST-1001',
    onReplyStream: (reply: CheckedReplyStream) => {
      reading = (async () => {
        for await (const event of reply) events.push(event);
      })();
    },
  });
  await reading;
  const afterLastReset = events.slice(events.findLastIndex((event) => event.type === 'reset') + 1);
  const shownLast = afterLastReset.map((event) => (event.type === 'text' ? event.text : '')).join('');
  return { handled, events, shownLast, everythingShown: events.map((event) => (event.type === 'text' ? event.text : '')).join('') };
}

test('a reply that holds to the results streams in pieces, and what it showed is the reply that is sent', async () => {
  const { handled, events, shownLast } = await handleStreamed([{ match: SYNTHESIZER, text: GOOD_REPLY }]);
  expect(handled.replyCheck).toEqual({ source: 'model', rejectedReplies: 0 });
  expect(handled.response).toBe(GOOD_REPLY);
  expect(events.filter((event) => event.type === 'text').length).toBeGreaterThan(2);
  expect(events.some((event) => event.type === 'reset')).toBe(false);
  expect(shownLast.trim()).toBe(GOOD_REPLY);
});

test('an answer that invents an identifier is shown only up to it, then reset and replaced by the repaired reply', async () => {
  const { handled, events, shownLast, everythingShown } = await handleStreamed([
    { match: REPAIR, text: GOOD_REPLY },
    { match: SYNTHESIZER, text: INVENTED_REPLY },
  ]);
  expect(handled.replyCheck).toEqual({ source: 'repaired', rejectedReplies: 1 });
  // what the results do not hold never reached the stream, not even for a moment
  expect(everythingShown).not.toContain('RMA-999999');
  expect(everythingShown).not.toContain('$5,000');
  expect(everythingShown).toContain('Hello Maria, your order A-12345 has shipped'); // the part before it did
  expect(events.filter((event) => event.type === 'reset')).toHaveLength(1);
  expect(shownLast.trim()).toBe(handled.response);
});

test('when no answer holds, the stream ends with the plain reply braid builds from the results', async () => {
  const { handled, events, shownLast, everythingShown } = await handleStreamed([{ match: SYNTHESIZER, text: INVENTED_REPLY }]);
  expect(handled.replyCheck.source).toBe('fallback');
  expect(everythingShown).not.toContain('RMA-999999');
  expect(events.at(-2)).toEqual({ type: 'reset' });
  expect(shownLast).toBe(handled.response);
});
