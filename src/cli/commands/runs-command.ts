import { Command, Option } from 'commander';
import { defaultStorePath } from '../../store/default-store-path.js';
import { openRunStore } from '../../store/run-store.js';
import { describeWait } from '../../core/describe-wait.js';
import type { RunRow } from '../../store/runs-table.js';
import { InputError } from '../../core/errors.js';
import { EXIT } from '../exit-codes.js';
import { parseAge } from '../parse-age.js';
import { toTerminalText } from '../terminal-text.js';
import { redisOption } from '../redis-url-flag.js';
import { reportError } from '../report-error.js';

interface RunsFlags {
  json?: boolean;
  redis?: string | true;
  store?: string;
  limit: number;
  prune?: boolean;
  olderThan?: number;
}

export function runsCommand(): Command {
  return new Command('runs')
    .description('list runs from the journal: id, workflow, status, start, steps done/total, tokens, cost; what waiting runs wait for')
    .argument('[run-id]', 'show one run, with its failed steps')
    .addOption(new Option('--json', 'print JSON'))
    .addOption(new Option('--store <file>', 'the run journal database (default: in the braid data directory)'))
    .addOption(redisOption('list the distributed batches too; with a run id: the batch, with its failed jobs').env('BRAID_REDIS_URL'))
    .addOption(new Option('--limit <n>', 'how many runs, newest first').default(20).argParser(Number))
    .addOption(new Option('--prune', 'delete the runs that finished longer ago than --older-than, with their steps and spans'))
    .addOption(new Option('--older-than <age>', 'with --prune: an age such as 30d, 12h or 2w').argParser(parseAge))
    .addHelpText(
      'after',
      `
Examples:
  $ braid runs
  $ braid runs --json
  $ braid runs 3f2c9a1e-…            # one run, with its failed steps
  $ braid runs --redis                # local runs and the batches in BRAID_REDIS_URL's Redis
  $ braid runs 3f2c9a1e-… --redis     # a distributed batch, with its failed jobs
  $ braid resume 3f2c9a1e-…          # continue it: finished steps replay from the journal
  $ braid runs --prune --older-than 30d   # delete runs finished more than 30 days ago`,
    )
    .action(async (runId: string | undefined, flags: RunsFlags) => {
      if ((flags.prune || flags.olderThan !== undefined) && (!flags.prune || flags.olderThan === undefined || runId !== undefined)) {
        throw new InputError('--prune takes --older-than AGE (e.g. 30d) and no run id');
      }
      const store = openRunStore(flags.store ?? defaultStorePath());
      try {
        if (flags.prune) {
          const pruned = store.pruneRuns({ olderThanMs: flags.olderThan! });
          process.stdout.write(flags.json ? `${JSON.stringify(pruned)}\n` : `pruned ${pruned.runs} runs (${pruned.steps} steps, ${pruned.spans} spans, ${pruned.waits} waits)\n`);
          return;
        }
        if (runId === undefined) {
          let runs: RunListing[] = store.listRuns({ limit: flags.limit });
          let redisError: unknown;
          if (flags.redis !== undefined) {
            // distributed batches are runs too: newest first among the local ones
            const batches = await (await import('../distributed-runs.js')).listDistributedRuns(flags.redis, { limit: flags.limit });
            runs = [...runs, ...batches.rows].sort((left, right) => right.startedAt.localeCompare(left.startedAt)).slice(0, flags.limit);
            redisError = batches.error;
          }
          process.stdout.write(flags.json ? `${JSON.stringify(runs, null, 2)}\n` : formatRunsTable(runs));
          if (redisError !== undefined) process.exitCode = reportError(redisError);
          return;
        }
        const run = store.getRun(runId);
        if (!run && flags.redis !== undefined) {
          // not a local run: a distributed batch, with its failed jobs
          process.exitCode = await (await import('../run-worker.js')).printStatus(runId, { redis: flags.redis, json: flags.json });
          return;
        }
        if (!run) {
          process.stderr.write(`braid: no run ${runId} in ${flags.store ?? defaultStorePath()}\n`);
          process.exitCode = EXIT.usage;
          return;
        }
        const failed = store
          .runSpans(runId)
          .filter((span) => span.kind === 'step' && span.status !== 'ok')
          .map((span) => ({ step: span.name, error: span.error ?? span.status }));
        if (flags.json) process.stdout.write(`${JSON.stringify({ ...run, failedSteps: failed }, null, 2)}\n`);
        else {
          process.stdout.write(formatRunsTable([run]));
          for (const step of failed) process.stdout.write(toTerminalText(`  failed ${step.step}: ${step.error}\n`));
        }
      } finally {
        store.close();
      }
    });
}

/** What the runs table shows of a run, local or distributed. */
type RunListing = Pick<RunRow, 'id' | 'workflow' | 'status' | 'startedAt' | 'stepsDone' | 'stepsTotal' | 'inputTokens' | 'outputTokens' | 'costUsd' | 'waits'>;

function formatRunsTable(runs: readonly RunListing[]): string {
  if (runs.length === 0) return 'no runs yet\n';
  const rows = runs.map((run) => [
    run.id,
    run.workflow,
    run.status,
    run.startedAt.replace('T', ' ').slice(0, 19),
    `${run.stepsDone}/${run.stepsTotal ?? '?'}`,
    String(run.inputTokens + run.outputTokens),
    `$${run.costUsd.toFixed(4)}`,
  ]);
  const header = ['RUN', 'WORKFLOW', 'STATUS', 'STARTED', 'STEPS', 'TOKENS', 'COST'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  // under each waiting run: what it waits for, and how to answer
  const lines = runs.flatMap((run, index) => [line(rows[index]!), ...describeWaits(run).map((text) => `  ${text}`)]);
  return `${[line(header), ...lines].join('\n')}\n`;
}

function describeWaits(run: RunListing): string[] {
  if (run.status === 'waiting' && run.waits.length === 0) return [`answered; braid resume ${run.id} goes on`];
  return run.waits.flatMap((wait) => {
    const isKeyNeeded = run.waits.filter((other) => other.name === wait.name).length > 1;
    const refused = wait.refusedAnswer === undefined ? [] : [`  (${wait.refusedAnswer.replace(/\s+/g, ' ')})`];
    return [`${describeWait(wait, { isKeyNeeded })}`, ...refused];
  });
}
