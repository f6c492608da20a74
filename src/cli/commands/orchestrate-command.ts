import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { CheckedReplyStream } from '../../workflows/orders/checked-reply-stream.js';
import { handleOrderQuery, type HandledOrderQuery, type OrderOutcome } from '../../workflows/orders/handle-order-query.js';
import { approveOver } from '../../workflows/orders/order-approval.js';
import { OrderApprovalPendingError } from '../../workflows/orders/order-approval-pending-error.js';
import { openOrderStore, type OrderStore } from '../../workflows/orders/order-store.js';
import { dataDirectory } from '../../store/data-directory.js';
import { withEngineFlags, type EngineFlags } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { summaryJson } from '../summary-json.js';
import { describeFinished, withCliRun, type CliRunContext } from '../with-cli-run.js';
import { toTerminalText } from '../terminal-text.js';
import { printAnswerStream } from '../print-answer-stream.js';

interface OrchestrateFlags extends EngineFlags {
  db?: string;
  customer?: string;
  approveOver?: number;
}

export function orchestrateCommand(): Command {
  const command = new Command('orchestrate')
    .description('plan a customer message into typed tasks, run them against the order database, and write one reply')
    .argument('<message>', 'the customer message')
    .addOption(new Option('--db <file>', 'the order database, created and seeded on first use (default: in the braid data directory)'))
    .addOption(
      new Option(
        '--customer <id>',
        "act for this customer only: a task about another customer's invoice, order or purchase is refused (default: the owner of the first invoice or order the message names)",
      ),
    )
    .addOption(
      new Option(
        '--approve-over <usd>',
        'returns of products priced above this many USD, and anything on a disputed invoice, wait for approval (braid signal <run-id> approval \'{"approved": true}\') before they are written',
      ).argParser(amountInUsd),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ braid orchestrate "Where is order A-12345? Also I want to return my SuperWidget 5000, it's broken."
  $ braid orchestrate "Invoice INV-7890 charged me twice" --customer CUST-1001 --json --db ./orders.db
  $ braid orchestrate "Return my SuperWidget 5000, it's broken" --customer CUST-1001 --approve-over 150 --run-id ret-1
  $ braid signal ret-1 approval '{"approved": false, "note": "past the return window"}'

The seeded database holds customer CUST-1001 (Maria Lopez) with invoice INV-7890 and order A-12345
(SuperWidget 5000, Gift Card 50), and three other customers with one invoice and one order each.`,
    );
  return withEngineFlags(command).action(async (message: string, flags: OrchestrateFlags) => {
    process.exitCode = await runOrchestrate(message, flags);
  });
}

async function runOrchestrate(message: string, flags: OrchestrateFlags): Promise<number> {
  // bad input fails before the runtime opens: a typo must not wait for a model to load
  if (message.trim() === '') return reportError(new InputError('the message is empty'), { verbose: flags.verbose });
  if (flags.customer !== undefined && flags.customer.trim() === '') return reportError(new InputError('--customer is empty'), { verbose: flags.verbose });
  const file = flags.db ?? join(dataDirectory(), 'orders.db');
  let store: OrderStore;
  try {
    store = openOrderStore(file); // creates the folder and seeds a new file
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  try {
    // an unknown customer fails before the runtime opens: a typo must not be paid for with a planner call
    if (flags.customer !== undefined && !store.findCustomer(flags.customer)) {
      return reportError(new InputError(`there is no customer ${JSON.stringify(flags.customer)} in the order database ${file}`), { verbose: flags.verbose });
    }
    const identity = { workflow: 'orchestrate', input: { message, customer: flags.customer ?? null, approveOver: flags.approveOver ?? null } };
    return await withCliRun(flags, identity, ({ braid, progress, isInteractive }) => orchestrateOnce(store, message, flags, { braid, progress, isInteractive }));
  } finally {
    store.close();
  }
}

async function orchestrateOnce(store: OrderStore, message: string, flags: OrchestrateFlags, { braid, progress, isInteractive }: Pick<CliRunContext, 'braid' | 'progress' | 'isInteractive'>): Promise<number> {
  progress.setTotal(2);
  const requiresApproval = flags.approveOver === undefined ? undefined : approveOver(flags.approveOver);
  // a person at a terminal reads the reply as it is written (as far as it passes the check); --json and pipes get it whole
  let printing: Promise<void> | undefined;
  const onReplyStream = (reply: CheckedReplyStream, results: readonly OrderOutcome[]): void => {
    progress.stop(); // the reply is the last step: its line must not share a row with the progress line
    printing = printAnswerStream(reply, { heading: describeTasks(results) });
  };
  let handled: HandledOrderQuery;
  let pending: OrderApprovalPendingError | undefined;
  try {
    handled = await handleOrderQuery(braid, message, store, { customerId: flags.customer, requiresApproval, ...(isInteractive ? { onReplyStream } : {}) });
  } catch (error) {
    if (!(error instanceof OrderApprovalPendingError)) throw error;
    pending = error; // the other tasks ran and a reply says what waits: print them, then let the run wait
    handled = error.handled;
  } finally {
    await printing; // never rejects: a failed reply's error is the one handleOrderQuery threw
  }
  if (flags.json) {
    const waiting = (pending?.waits ?? []).map(({ name, key, prompt }) => ({ name, key, prompt }));
    process.stdout.write(`${JSON.stringify({ ...handled, waiting, summary: summaryJson(braid.summary()) }, null, 2)}\n`);
  } else if (printing === undefined) {
    process.stdout.write(toTerminalText(`${describeTasks(handled.results)}${handled.response}\n`));
  }
  if (pending) throw pending; // the session ends waiting, saying how to answer
  if (isInteractive) process.stderr.write(`braid: ${describeFinished(braid.summary())}\n`);
  // refused, declined, not found or a question back are answers; only a task that could not run is a failure
  return handled.results.some((result) => result.status === 'failed') ? EXIT.failed : EXIT.ok;
}

/** The task list that heads the reply, with the blank line before it. */
function describeTasks(results: readonly OrderOutcome[]): string {
  const lines = results.map((result) => `- [${result.status}] ${result.summary}`);
  return `Tasks:\n${lines.join('\n') || '- (none)'}\n\n`;
}

function amountInUsd(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`expected an amount in USD, 0 or more, got "${text}"`);
  return value;
}
