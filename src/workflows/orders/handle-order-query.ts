import { z } from 'zod';
import { InputError, RunWaitingError } from '../../core/errors.js';
import type { Run, StepOptions } from '../../core/run.js';
import { checkReply, type ReplyFacts, type ReplyProblems } from './check-reply.js';
import { createCheckedReplyStream, type CheckedReplyStream } from './checked-reply-stream.js';
import { Customer, productNameKey, type OrderStore } from './order-store.js';
import { idOfTask, TASK_FIELD_NAMES, type OrderTask } from './order-tasks.js';
import { ApprovalDecision, awaitingApprovalResult, describeApprovalRequest, rejectedResult, type ApprovalRule } from './order-approval.js';
import { OrderApprovalPendingError } from './order-approval-pending-error.js';
import { reviewOrderTask, ReviewedTask, runOrderTask, WorkerResult, type WorkerScope } from './order-workers.js';
import { planOrderTasks, type PlanItem } from './plan-order-tasks.js';

export interface HandleOrderQueryOptions {
  /**
   * Act for this customer only: every invoice, order and purchase a task names must be theirs, and
   * a task about anyone else's is `refused`. Without it, the first record the message resolves (in
   * the planner's task order, not in the order workers happen to finish) fixes the customer for the
   * whole message. A customer id the database lacks is an `InputError`.
   */
  customerId?: string;
  /**
   * How many times a reply that invents an identifier or an amount (or leaves out a record it must
   * name) is sent back to the model, with the offending spans named, before braid replaces it with a
   * plain reply built from the results.
   * @default 1
   */
  replyRepairs?: number;
  /**
   * Which writes wait for a person's approval before they are made (`approveOver(150)`: returns of
   * products over $150 and anything on a disputed invoice). A write that needs it waits, durably, at
   * `run.waitFor('approval', ApprovalDecision)` in its task's scope; the other tasks run, a reply
   * saying what waits is written, and `OrderApprovalPendingError` (a `RunWaitingError`) ends the
   * session. Answered and resumed, an approved write is made and a rejected one is reported as `rejected`.
   * Needs a durable run (`startRun`). @default no write waits
   */
  requiresApproval?: ApprovalRule;
  /**
   * Streams the reply as it is written (for a terminal or a web page), with the results it is
   * written from: called when the synthesizer starts. The stream shows only what passes the reply
   * check so far, and ends with the reply that is sent. The result is the same with or without it.
   */
  onReplyStream?: (reply: CheckedReplyStream, results: readonly OrderOutcome[]) => void;
}

/** What became of one planned task: a worker's result, or why no worker ran it. */
export type OrderOutcome =
  | WorkerResult
  | { status: 'needs_info' | 'duplicate' | 'failed'; task: Record<string, unknown>; summary: string };

/** Whom the message was handled for, and what fixed it: the option, or the first record a task resolved (1-based). */
export const ResolvedCustomer = z.union([
  Customer.extend({ fixedBy: z.literal('option') }),
  Customer.extend({ fixedBy: z.literal('task'), task: z.number().int().positive() }),
  z.null(),
]);
export type ResolvedCustomer = z.infer<typeof ResolvedCustomer>;

/**
 * Where the reply came from: the model's first answer, its answer after repairs, or braid's plain
 * fallback. What a rejected answer invented is not kept here, so it cannot reach any output; the
 * trace holds each answer and the repair prompt that named its problems.
 */
export interface ReplyCheck {
  source: 'model' | 'repaired' | 'fallback';
  /** The model's answers that were not sent. */
  rejectedReplies: number;
}

export interface HandledOrderQuery {
  customer: ResolvedCustomer;
  /** The planner's tasks: validated (unknown fields dropped), or as emitted when invalid. */
  tasks: Record<string, unknown>[];
  /** What each task's worker did, or why the task did not run, in the planner's order. */
  results: OrderOutcome[];
  response: string;
  replyCheck: ReplyCheck;
}

const SYNTHESIZER_INSTRUCTIONS = [
  'You write one reply to the customer from the results of the back-office tasks below.',
  'State only facts that appear in the results: never an id, number, amount, date or status they do not hold. Name every RMA, case, order and invoice number the results give.',
  'Each result is tagged: [done] it happened; [not_found] say it was not found and ask the customer to check the detail; [refused] the record is not on this customer\'s account: say you cannot act on it for them; [declined] the shop\'s policy does not allow it: explain the policy; [needs_info] ask for the missing detail; [duplicate] the request was already made in this message; [awaiting_approval] it waits for approval by the support team, and the customer will hear once it is decided: never say it is approved; [rejected] it was reviewed and not approved: say so plainly; [failed] it could not be done now.',
].join('\n');

/**
 * The order orchestrator: the planner emits typed tasks, the customer is fixed, the workers act on
 * the order database concurrently for that customer only, and a synthesizer writes one reply that
 * is checked against what really happened. Each worker's write is an effect of the run: journaled,
 * and made under the run's idempotency key, so a resumed run never opens a second case or RMA.
 *
 * The customer is fixed between planning and acting, which `run.orchestrate` has no place for, so
 * the pattern is spelled out here with the same scopes (`orchestrate › plan`, `task[i]`, `synthesize`).
 *
 * @example
 * const handled = await handleOrderQuery(run, 'Where is order A-12345?', store, { customerId: 'CUST-1001' });
 * handled.results[0].status; // 'done'
 */
export async function handleOrderQuery(
  run: Run,
  message: string,
  store: OrderStore,
  { customerId, replyRepairs = 1, requiresApproval, onReplyStream }: HandleOrderQueryOptions = {},
): Promise<HandledOrderQuery> {
  return run.group('orchestrate', async (orchestrateRun) => {
    const items = capWrites((await planOrderTasks(orchestrateRun, message)).items);
    const ready = items.flatMap((item) => (item.status === 'ready' ? [item.task] : []));
    const customer = await orchestrateRun.effect('customer', () => resolveCustomer(items, store, customerId), {
      input: { customerId: customerId ?? null, tasks: ready },
      schema: ResolvedCustomer,
    });
    const scopeCustomer = customer === null ? undefined : { id: customer.id, name: customer.name };

    // a write that waits for approval is an outcome here, not a stopped item: the others' results and a reply come first
    const waits: (RunWaitingError | undefined)[] = [];
    const settled = await orchestrateRun.parallel(
      items,
      async (item, taskRun, index): Promise<OrderOutcome> => {
        if (item.status !== 'ready') return notRun(item);
        const scope = { customer: scopeCustomer };
        if (!requiresApproval) return act(taskRun, item.task, store, scope);
        const reviewed = await taskRun.effect('review', () => reviewOrderTask(item.task, store, scopeCustomer), {
          input: { task: item.task, customer: scopeCustomer ?? null },
          schema: ReviewedTask,
        });
        if (reviewed.status !== 'ready') return reviewed; // a read, a refusal: nothing to approve
        const reason = requiresApproval(reviewed.write);
        if (reason !== undefined) {
          let decision: ApprovalDecision;
          try {
            decision = await taskRun.waitFor('approval', ApprovalDecision, { prompt: describeApprovalRequest(reviewed.write, reason) });
          } catch (error) {
            if (!(error instanceof RunWaitingError)) throw error;
            waits[index] = error;
            return awaitingApprovalResult(reviewed.write, reason);
          }
          if (!decision.approved) return rejectedResult(reviewed.write, decision);
        }
        return act(taskRun, item.task, store, scope); // checks everything again inside its transaction
      },
      { name: 'task', label: (item) => labelOf(item.task) },
    );
    const results = settled.map((outcome, index): OrderOutcome =>
      outcome.ok ? outcome.value : { status: 'failed', task: items[index]!.task, summary: `The task could not run: ${errorText(outcome.error)}` },
    );

    const tasks = results.map((result) => result.task);
    const pending = waits.filter((wait): wait is RunWaitingError => wait !== undefined);
    if (pending.length > 0) {
      // its own scope: once every wait is answered, the final reply is a new step, not this one changed
      const { response, replyCheck } = await orchestrateRun.group('acknowledge', (acknowledgeRun) =>
        writeCheckedReply(acknowledgeRun, { message, customer, results, replyRepairs, onReplyStream }),
      );
      throw new OrderApprovalPendingError(RunWaitingError.merge(pending).waits, { customer, tasks, results, response, replyCheck });
    }
    const { response, replyCheck } = await orchestrateRun.group('synthesize', (synthesizeRun) =>
      writeCheckedReply(synthesizeRun, { message, customer, results, replyRepairs, onReplyStream }),
    );
    return { customer, tasks, results, response, replyCheck };
  });
}

/** The task's write (or read), as an effect: journaled, and made under the run's idempotency key, so it happens once. */
function act(run: Run, task: OrderTask, store: OrderStore, scope: WorkerScope): Promise<WorkerResult> {
  return run.effect('act', ({ idempotencyKey }) => runOrderTask(task, store, { ...scope, idempotencyKey }), {
    input: { task, customer: scope.customer ?? null },
    schema: WorkerResult,
  });
}

/** A planned task that reaches no worker. */
type NotRunItem = Exclude<PlanItem, { status: 'ready' }> | { status: 'duplicate'; task: OrderTask; first: number; what: string };

/**
 * Caps the writes one message can make: one case per invoice and one return per product. A task
 * that repeats an earlier one (by the planner's order) becomes `duplicate` and writes nothing.
 */
function capWrites(items: readonly PlanItem[]): (PlanItem | Extract<NotRunItem, { status: 'duplicate' }>)[] {
  const firstByTarget = new Map<string, number>();
  return items.map((item, index) => {
    if (item.status !== 'ready') return item;
    const { task } = item;
    const target =
      task.query_type === 'Billing Inquiry'
        ? { key: `invoice:${task.invoice_number.toLowerCase()}`, what: `one case per invoice (${task.invoice_number})` }
        : task.query_type === 'Product Return'
          ? { key: `return:${productNameKey(task.product_name)}`, what: `one return per product (${task.product_name})` }
          : undefined; // a status update writes nothing
    if (!target) return item;
    const first = firstByTarget.get(target.key);
    if (first === undefined) {
      firstByTarget.set(target.key, index);
      return item;
    }
    return { status: 'duplicate' as const, task, first, what: target.what };
  });
}

function notRun(item: NotRunItem): OrderOutcome {
  switch (item.status) {
    case 'needs_info': {
      const fields = item.missing.map((field) => TASK_FIELD_NAMES[field as keyof typeof TASK_FIELD_NAMES] ?? field);
      return {
        status: 'needs_info',
        task: item.task,
        summary: `The message asks for a ${String(item.task.query_type)} but does not give ${fields.join(' or ')}; nothing was looked up until the customer gives it.`,
      };
    }
    case 'duplicate':
      return {
        status: 'duplicate',
        task: item.task,
        summary: `Task ${item.first + 1} already asks for this; a message makes ${item.what}, so this one wrote nothing.`,
      };
    case 'invalid':
      return { status: 'failed', task: item.task, summary: `The planned task was malformed (${item.error}); nothing was done.` };
  }
}

/**
 * Whom the message is handled for: the given customer, or else the owner of the first invoice or
 * order that a task (in the planner's order) names and the database holds. Products belong to no
 * one, so a return fixes no customer. Null when nothing resolved.
 */
function resolveCustomer(items: readonly (PlanItem | { status: 'duplicate' })[], store: OrderStore, customerId: string | undefined): ResolvedCustomer {
  if (customerId !== undefined) {
    const customer = store.findCustomer(customerId);
    if (!customer) throw new InputError(`there is no customer ${JSON.stringify(customerId)} in the order database`);
    return { ...customer, fixedBy: 'option' };
  }
  for (const [index, item] of items.entries()) {
    if (item.status !== 'ready') continue;
    const { task } = item;
    const ownerId =
      task.query_type === 'Billing Inquiry'
        ? store.findInvoice(task.invoice_number)?.customerId
        : task.query_type === 'Status Update'
          ? store.findOrder(task.order_id)?.customerId
          : undefined;
    const customer = ownerId === undefined ? undefined : store.findCustomer(ownerId);
    if (customer) return { ...customer, fixedBy: 'task', task: index + 1 };
  }
  return null;
}

/**
 * Asks the model for the reply, checks it against the results, re-asks naming what it invented or
 * left out, and falls back to a plain reply built from the results when it still does not hold.
 * With `onReplyStream`, each answer is the same step streamed, shown as far as it passes the check.
 */
async function writeCheckedReply(
  run: Run,
  {
    message,
    customer,
    results,
    replyRepairs,
    onReplyStream,
  }: { message: string; customer: ResolvedCustomer; results: readonly OrderOutcome[]; replyRepairs: number; onReplyStream: HandleOrderQueryOptions['onReplyStream'] },
): Promise<{ response: string; replyCheck: ReplyCheck }> {
  const prompt = `Customer message:\n${message}\n\n${describeCustomer(customer)}\n\nTask results:\n${describeOutcomes(results)}`;
  const facts = replyFacts(customer, results);
  const shown = onReplyStream ? createCheckedReplyStream(facts) : undefined;
  if (shown) onReplyStream?.(shown.stream, results);
  const ask = async (options: StepOptions<undefined>): Promise<string> => {
    if (!shown) return (await run.step(options)).trim();
    shown.reset(); // a new answer: what was shown of the one before is void
    const answer = run.stream(options);
    const following = shown.follow(answer);
    try {
      return (await answer.value).trim();
    } finally {
      await following;
    }
  };
  try {
    const written = await checkedReply(ask, { prompt, facts, customer, results, replyRepairs });
    shown?.settle(written.response);
    return written;
  } catch (error) {
    shown?.fail(error);
    throw error;
  }
}

async function checkedReply(
  ask: (options: StepOptions<undefined>) => Promise<string>,
  { prompt, facts, customer, results, replyRepairs }: { prompt: string; facts: ReplyFacts; customer: ResolvedCustomer; results: readonly OrderOutcome[]; replyRepairs: number },
): Promise<{ response: string; replyCheck: ReplyCheck }> {
  let rejectedReplies = 0;
  let reply = await ask({ name: 'synthesize', system: SYNTHESIZER_INSTRUCTIONS, prompt, maxOutputTokens: 500, noCache: true });
  for (let attempt = 0; ; attempt += 1) {
    const problems = checkReply(reply, facts);
    if (reply !== '' && problems.invented.length === 0 && problems.omitted.length === 0) {
      return { response: reply, replyCheck: { source: attempt === 0 ? 'model' : 'repaired', rejectedReplies } };
    }
    rejectedReplies += 1;
    if (attempt >= replyRepairs) break;
    reply = await ask({
      name: 'repair',
      system: SYNTHESIZER_INSTRUCTIONS,
      prompt: `${prompt}\n\nYour previous reply was:\n<<<\n${reply}\n>>>\n${describeProblems(problems)}\nWrite the whole reply again, from the task results alone.`,
      maxOutputTokens: 500,
      noCache: true,
    });
  }
  return { response: fallbackReply(customer, results), replyCheck: { source: 'fallback', rejectedReplies } };
}

function describeProblems({ invented, omitted }: ReplyProblems): string {
  const lines = [];
  if (invented.length > 0) lines.push(`It cannot be sent: it states ${invented.map((span) => `"${span}"`).join(', ')}, which no task result holds.`);
  if (omitted.length > 0) lines.push(`It leaves out ${omitted.map((span) => `"${span}"`).join(', ')}, which the customer must be told.`);
  if (lines.length === 0) lines.push('It was empty.');
  return lines.join('\n');
}

/** What a reply may state, and what it must name, from the results alone (never from the message). */
function replyFacts(customer: ResolvedCustomer, results: readonly OrderOutcome[]): ReplyFacts {
  const texts = [describeCustomer(customer)];
  const amountsCents: number[] = [];
  const mustMention: string[] = [];
  for (const result of results) {
    texts.push(result.summary);
    if (result.status === 'done') {
      texts.push(JSON.stringify(result.data));
      collectCents(result.data, amountsCents);
    }
    const mention = mustName(result);
    if (mention !== undefined) mustMention.push(mention);
  }
  return { texts, amountsCents, mustMention };
}

/** The one thing a reply must name for a result: the record it made, or the record the customer asked about. */
function mustName(result: OrderOutcome): string | undefined {
  if (result.status === 'done') {
    if ('investigation' in result.data) return result.data.investigation.caseId;
    if ('returnAuthorization' in result.data) return result.data.returnAuthorization.rmaNumber;
    return result.data.order.id;
  }
  if (result.status === 'needs_info' || result.status === 'duplicate' || result.status === 'failed') return undefined;
  return idOfTask(result.task as OrderTask) ?? undefined;
}

function collectCents(value: unknown, into: number[]): void {
  if (Array.isArray(value)) for (const item of value) collectCents(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, field] of Object.entries(value)) {
      if (key.endsWith('Cents') && typeof field === 'number') into.push(field);
      else collectCents(field, into);
    }
  }
}

/** The reply braid sends when the model's does not hold: each result's own sentence, which the database wrote. */
function fallbackReply(customer: ResolvedCustomer, results: readonly OrderOutcome[]): string {
  const greeting = customer === null ? 'Hello,' : `Hello ${customer.name},`;
  if (results.length === 0) {
    return `${greeting}\n\nYour message did not ask for anything we can look up or change here: a billing question (with the invoice number), a return (with the product's name) or an order's status (with the order number).`;
  }
  return `${greeting}\n\nHere is where each of your requests stands:\n${results.map((result) => `- ${result.summary}`).join('\n')}`;
}

function describeCustomer(customer: ResolvedCustomer): string {
  return customer === null ? 'Customer: not established (no task named a record of theirs).' : `Customer: ${customer.name} (${customer.id}).`;
}

function describeOutcomes(results: readonly OrderOutcome[]): string {
  if (results.length === 0) return '(no tasks: the message asked for nothing the workers handle)';
  return results.map((result, index) => `${index + 1}. [${result.status}] ${result.summary}`).join('\n');
}

/** What a task is about, for the timeline: `Billing Inquiry INV-7890`. */
function labelOf(task: Record<string, unknown>): string {
  const about = [task.invoice_number, task.product_name, task.order_id].find((value) => typeof value === 'string');
  return [task.query_type, about].filter((part) => typeof part === 'string').join(' ') || 'task';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
