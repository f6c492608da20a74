import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import { handleOrderQuery } from '../../workflows/orders/handle-order-query.js';
import { openOrderStore } from '../../workflows/orders/order-store.js';
import { dataDirectory } from '../../store/data-directory.js';
import { withEngineFlags, type EngineFlags } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { summaryJson } from '../summary-json.js';
import { describeFinished, withCliRun } from '../with-cli-run.js';

interface OrchestrateFlags extends EngineFlags {
  db?: string;
}

export function orchestrateCommand(): Command {
  const command = new Command('orchestrate')
    .description('plan a customer message into typed tasks, run them against the order database, and write one reply')
    .argument('<message>', 'the customer message')
    .addOption(new Option('--db <file>', 'the order database, created and seeded on first use (default: in the braid data directory)'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid orchestrate "Where is order A-12345? Also I want to return my SuperWidget 5000, it's broken."
  $ braid orchestrate "Invoice INV-7890 charged me twice" --json --db ./orders.db

The seeded database holds invoice INV-7890, product "SuperWidget 5000" and order A-12345, among others.`,
    );
  return withEngineFlags(command).action(async (message: string, flags: OrchestrateFlags) => {
    process.exitCode = await runOrchestrate(message, flags);
  });
}

async function runOrchestrate(message: string, flags: OrchestrateFlags): Promise<number> {
  // bad input fails before the runtime opens: a typo must not wait for a model to load
  if (message.trim() === '') return reportError(new InputError('the message is empty'), { verbose: flags.verbose });
  return withCliRun(flags, { workflow: 'orchestrate', input: { message } }, async ({ braid, progress, isInteractive }) => {
    const file = flags.db ?? join(dataDirectory(), 'orders.db');
    mkdirSync(dirname(file), { recursive: true });
    const store = openOrderStore(file);
    try {
      progress.setTotal(2);
      const handled = await handleOrderQuery(braid, message, store);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...handled, summary: summaryJson(braid.summary()) }, null, 2)}\n`);
      } else {
        const lines = handled.results.map((result) => `- [${result.status}] ${result.summary}`);
        process.stdout.write(`Tasks:\n${lines.join('\n') || '- (none)'}\n\n${handled.response}\n`);
      }
      if (isInteractive) process.stderr.write(`braid: ${describeFinished(braid.summary())}\n`);
      return handled.results.some((result) => result.status === 'failed') ? EXIT.failed : EXIT.ok;
    } finally {
      store.close();
    }
  });
}
