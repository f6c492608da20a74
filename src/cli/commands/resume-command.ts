import { Command, Option } from 'commander';
import { defaultStorePath } from '../../store/default-store-path.js';
import { openRunStore } from '../../store/run-store.js';
import { EXIT } from '../exit-codes.js';
import { redisOption } from '../redis-url-flag.js';

/**
 * `braid resume <id>` and `braid retry <id>`: run a recorded command again under the same run id.
 * Steps the journal holds replay without a model call; the rest (in flight, not started, or
 * failed) run now, so the output is the same as an uninterrupted run's.
 */
export function resumeCommand(name: 'resume' | 'retry', rerun: (argv: string[]) => Promise<void>): Command {
  const description =
    name === 'resume'
      ? 'continue an interrupted run: finished steps replay from the journal, the rest run now'
      : "retry a run's failed items alone: finished steps replay from the journal, failed ones run again";
  return new Command(name)
    .description(description)
    .argument('<run-id>', 'the run, as printed at its start or listed by braid runs')
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    .addOption(redisOption('also look for the run among the distributed batches in this Redis').env('BRAID_REDIS_URL'))
    .addHelpText('after', `\nExamples:\n  $ braid ${name} 3f2c9a1e-…\n  $ braid ${name} 3f2c9a1e-… --redis   # a distributed batch: collects it, enqueueing failed items again\n  $ braid runs          # find the id`)
    .action(async (runId: string, flags: { store?: string; redis?: string | true }) => {
      const store = openRunStore(flags.store ?? defaultStorePath());
      const run = store.getRun(runId);
      store.close();
      // not a local run: a distributed batch is resumed by collecting it again
      if (!run && flags.redis !== undefined && (await (await import('../resume-batch.js')).resumeBatch(runId, flags.redis, rerun))) return;
      if (!run) {
        process.stderr.write(`braid: no run ${runId} in ${flags.store ?? defaultStorePath()}${flags.redis === undefined ? '' : ' nor in Redis'}; braid runs lists them\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const storeFlags = flags.store ? ['--store', flags.store] : [];
      await rerun([...run.command, '--resume', runId, ...storeFlags]);
    });
}
