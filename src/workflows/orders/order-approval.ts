import { z } from 'zod';
import { formatMoney, type PlannedWrite, type WorkerResult } from './order-workers.js';

/**
 * Decides whether a write waits for a person's approval before it is made: returns why it must, as
 * a clause ("the product is priced over $100.00", shown to the approver and in the reply), or
 * undefined to let it through. It sees the records the write acts on, already checked against the customer.
 *
 * @example
 * const overOneHundred: ApprovalRule = (write) =>
 *   write.kind === 'return' && write.product.priceCents > 100_00 ? 'the product is priced over $100.00' : undefined;
 */
export type ApprovalRule = (write: PlannedWrite) => string | undefined;

/** What an approver answers: `braid signal <run-id> approval '{"approved": true}'`. */
export const ApprovalDecision = z.object({
  approved: z.boolean(),
  /** Why, in a few words: the reply passes it on to the customer. */
  note: z.string().trim().min(1).max(500).optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/**
 * The rule `braid orchestrate --approve-over USD` applies: a return of a product priced above
 * `limitUsd`, and anything on a disputed invoice, waits for approval.
 *
 * @example
 * handleOrderQuery(run, message, store, { customerId: 'CUST-1001', requiresApproval: approveOver(150) });
 */
export function approveOver(limitUsd: number): ApprovalRule {
  if (!Number.isFinite(limitUsd) || limitUsd < 0) throw new RangeError(`approveOver takes an amount in USD, 0 or more, not ${limitUsd}`);
  const limitCents = Math.round(limitUsd * 100);
  return (write) => {
    if (write.kind === 'return' && write.product.priceCents > limitCents) {
      return `the product is priced over ${formatMoney(limitCents, write.product.currency)}`;
    }
    if (write.kind === 'investigation' && write.invoice.status === 'disputed') return `invoice ${write.invoice.number} is disputed`;
    return undefined;
  };
}

/** What the approver is asked: the write, its amount, whose it is, and why it waits. */
export function describeApprovalRequest(write: PlannedWrite, reason: string): string {
  const who = `${write.customer.name} (${write.customer.id})`;
  return write.kind === 'return'
    ? `Approve the return of ${write.product.name} (SKU ${write.product.sku}, ${formatMoney(write.product.priceCents, write.product.currency)}) ` +
        `from order ${write.order.id} for ${who}? Reason given: ${JSON.stringify(write.task.reason_for_return)}. It waits because ${reason}.`
    : `Approve opening an investigation on invoice ${write.invoice.number} (${formatMoney(write.invoice.amountCents, write.invoice.currency)}) ` +
        `for ${who}? It waits because ${reason}.`;
}

/** A task whose write waits for approval: nothing is written until the answer comes. */
export function awaitingApprovalResult(write: PlannedWrite, reason: string): WorkerResult {
  const status = 'awaiting_approval';
  if (write.kind === 'return') {
    const { product, order, task } = write;
    const summary =
      `The return of ${product.name} (SKU ${product.sku}, ${formatMoney(product.priceCents, product.currency)}) from order ${order.id} ` +
      `waits for approval by the support team, because ${reason}; nothing has been written yet.`;
    return { status, task, summary };
  }
  const { invoice, task } = write;
  const summary =
    `An investigation on invoice ${invoice.number} (${formatMoney(invoice.amountCents, invoice.currency)}) ` +
    `waits for approval by the support team, because ${reason}; nothing has been opened yet.`;
  return { status, task, summary };
}

/** A task whose write the approver rejected: nothing was written, and the approver's note is passed on. */
export function rejectedResult(write: PlannedWrite, { note }: ApprovalDecision): WorkerResult {
  const status = 'rejected';
  const because = note === undefined ? '' : ` (the reviewer's note: ${JSON.stringify(note)})`;
  if (write.kind === 'return') {
    const { product, order, task } = write;
    return { status, task, summary: `The return of ${product.name} (SKU ${product.sku}) from order ${order.id} was reviewed and not approved${because}; no return was created.` };
  }
  const { invoice, task } = write;
  return { status, task, summary: `The investigation on invoice ${invoice.number} was reviewed and not approved${because}; no investigation was opened.` };
}
