import { setTimeout as delay } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { InputError } from '../../core/errors.js';
import { defaultStorePath } from '../../store/default-store-path.js';
import { openRunStore, type RunStore } from '../../store/run-store.js';
import type { RunRow } from '../../store/runs-table.js';
import { signal } from '../../store/signal.js';
import { EXIT } from '../exit-codes.js';
import { redisOption } from '../redis-url-flag.js';
import { reportError } from '../report-error.js';

interface SignalFlags {
  key?: string;
  store?: string;
  redis?: string | true;
  /** false with --no-resume */
  resume: boolean;
  verbose?: boolean;
}

/** How often `braid signal` looks whether a running session of the run has ended. */
const SESSION_POLL_MS = 250;

/**
 * `braid signal <run-id> <name> '<json>'`: answers what a run waits for, then resumes it (re-runs
 * its command with `--resume`, as `braid resume` does). A value that does not fit the wait's
 * schema is refused (exit 2) and nothing changes.
 */
export function signalCommand(rerun: (argv: string[]) => Promise<void>): Command {
  return new Command('signal')
    .description("answer what a waiting run waits for (run.waitFor), checked against the wait's schema, and resume the run")
    .argument('<run-id>', 'the run, as its waiting line or braid runs shows it')
    .argument('<name>', 'what it waits for: the name given to run.waitFor')
    .argument('<json>', "the answer, as JSON that fits the wait's schema")
    .addOption(new Option('--key <position>', 'the wait, when several of that name are pending (braid runs shows their keys)'))
    .addOption(new Option('--no-resume', 'only store the answer; braid resume (or the program) goes on later'))
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    // no BRAID_REDIS_URL fallback: a variable set for the batch commands must not send a local run's answer to Redis
    .addOption(redisOption('a distributed item (<batch id>/<index>): the answer goes to Redis and the item back on the queue'))
    .addOption(new Option('--verbose', 'show stack traces on errors'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid signal 3f2c9a1e-… approval '{"approved": true}'
  $ braid signal 3f2c9a1e-… approval '{"approved": false}' --key '/refund#0/item[2]#0/approval#0'
  $ braid signal batch-7/3 approval '{"approved": true}' --redis   # Redis URL in BRAID_REDIS_URL
  $ braid runs    # waiting runs, what they wait for, and the keys of their waits

An answer sent before the run reaches the wait is kept until it does.`,
    )
    .action(async (runId: string, name: string, json: string, flags: SignalFlags) => {
      let value: unknown;
      try {
        value = parseAnswer(json);
      } catch (error) {
        process.exitCode = reportError(error, { verbose: flags.verbose });
        return;
      }
      if (flags.redis !== undefined) {
        process.exitCode = await (await import('../signal-on-workers.js')).signalOnWorkers(runId, name, value, { ...flags, redis: flags.redis });
        return;
      }
      process.exitCode = await signalStoredRun(runId, name, value, flags, rerun);
    });
}

async function signalStoredRun(runId: string, name: string, value: unknown, flags: SignalFlags, rerun: (argv: string[]) => Promise<void>): Promise<number> {
  const storeFile = flags.store ?? defaultStorePath();
  let store: RunStore | undefined;
  let run: RunRow | undefined;
  try {
    store = openRunStore(storeFile);
    const result = signal(store, runId, name, value, flags.key === undefined ? {} : { key: flags.key });
    if (result.delivered === 'answered') process.stderr.write(`braid: answered "${name}" of run ${runId} (${result.key ?? ''})\n`);
    else {
      const waitsFor = store.getRun(runId)?.waits.map((wait) => `"${wait.name}"`) ?? [];
      process.stderr.write(
        `braid: run ${runId} does not wait for "${name}" yet${waitsFor.length > 0 ? ` (it waits for ${waitsFor.join(', ')})` : ''}; ` +
          'the answer is kept until it reaches that wait\n',
      );
    }
    // a kept answer waits for the run to get there: resuming a run stopped elsewhere changes nothing
    if (!flags.resume || result.delivered === 'kept') return EXIT.ok;
    run = await sessionEnd(store, runId);
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  } finally {
    store?.close();
  }
  if (!run || (run.status !== 'waiting' && run.status !== 'interrupted')) return EXIT.ok;
  if (run.command.length === 0) {
    // a run a program started: only that program knows its workflow
    process.stderr.write(`braid: run ${runId} was started by a program, not the braid CLI; resume it there (resume(store, '${runId}', …))\n`);
    return EXIT.ok;
  }
  await rerun([...run.command, '--resume', runId, ...(flags.store ? ['--store', flags.store] : [])]);
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
}

/**
 * The run once no session of it is running: a session in progress (siblings of a waiting
 * `parallel` item still at work) ends on its own, and is then resumed to take the answer.
 */
async function sessionEnd(store: RunStore, runId: string): Promise<RunRow | undefined> {
  let run = store.getRun(runId);
  if (run?.status === 'running') process.stderr.write(`braid: run ${runId} is running; it is resumed once this session of it ends\n`);
  while (run?.status === 'running') {
    await delay(SESSION_POLL_MS);
    run = store.getRun(runId);
  }
  return run;
}

function parseAnswer(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new InputError(`the answer is not JSON (${error instanceof Error ? error.message : String(error)}); quote it for the shell: '{"approved": true}'`, { cause: error });
  }
}
