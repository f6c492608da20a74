import { Command, Option } from 'commander';
import { cancellationError } from '../../core/errors.js';
import { createLocalRunner } from '../../core/local-runner.js';
import { InputError } from '../../core/errors.js';
import type { StepStream } from '../../core/step-stream.js';
import { routeQuery, type RoutedQuery } from '../../workflows/support/route-query.js';
import { routeQueryWorkflow, type RouteQueryOutput } from '../../workflows/support/route-query-workflow.js';
import type { Settled } from '../../core/parallel.js';
import { loadRouterConfig, type RouterConfig } from '../../workflows/support/support-intents.js';
import { withEngineFlags, type EngineFlags } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { redisOption } from '../redis-url-flag.js';
import { reportError } from '../report-error.js';
import { describeFinished, withCliRun } from '../with-cli-run.js';
import { createRoutedBatchPrinter, readQueries } from '../route-batch.js';
import { toTerminalText } from '../terminal-text.js';
import { printAnswerStream } from '../print-answer-stream.js';

/**
 * Queries started at once. The provider limiter paces the calls; this only keeps a batch of
 * 100,000 lines from queueing 100,000 waiters (and their abort listeners) in it at once.
 */
const BATCH_CONCURRENCY = 64;

interface RouteFlags extends EngineFlags {
  batch?: string;
  redis?: string | true;
  config?: string;
}

export function routeCommand(): Command {
  const command = new Command('route')
    .description('route a support query to Technical Support, Billing Inquiry or General Question, and answer it')
    .argument('[query]', 'the customer query')
    .addOption(new Option('--batch <file>', 'route queries read one per line from a file, or - for stdin; prints JSONL'))
    .addOption(new Option('--config <file>', 'JSON file adding or replacing intents and their handler prompts'))
    .addOption(redisOption('with --batch: one job per query on the workers serving this Redis (see braid worker)'))
    .addHelpText(
      'after',
      `
Examples:
  $ braid route "My invoice shows a double charge"
  $ braid route "The app crashes on start" --json
  $ braid route --batch tickets.txt --rpm 60 > routed.jsonl
  $ braid route --batch tickets.txt --redis > routed.jsonl   # Redis URL in BRAID_REDIS_URL
  $ cat tickets.txt | braid route --batch - --config intents.json

Config file:
  {"intents": [{"name": "Refund Request", "description": "asks for money back",
                "prompt": "You handle refunds. ..."}],
   "replaceDefaults": false, "fallback": "General Question"}`,
    );
  return withEngineFlags(command).action(async (query: string | undefined, flags: RouteFlags) => {
    const { redis } = flags;
    // BullMQ and ioredis load only for a distributed run
    process.exitCode = redis === undefined ? await runRoute(query, flags) : await (await import('../route-on-workers.js')).runRouteOnWorkers(query, { ...flags, redis });
  });
}

async function runRoute(query: string | undefined, flags: RouteFlags): Promise<number> {
  if ((query === undefined) === (flags.batch === undefined)) {
    process.stderr.write('braid: give one query, or --batch FILE (or - for stdin); see braid route --help\n');
    return EXIT.usage;
  }
  // bad input fails before the runtime opens: a typo must not wait for a model to load
  let config: RouterConfig;
  let queries: string[] = [];
  try {
    config = await loadRouterConfig(flags.config);
    if (query !== undefined && query.trim() === '') throw new InputError('the query is empty');
    if (flags.batch !== undefined) queries = await readQueries(flags.batch);
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  }
  const identity = { workflow: 'route', input: { ...(query === undefined ? { queries } : { query }), intents: config.intents, fallback: config.fallback } };
  return withCliRun(flags, identity, async ({ braid, progress, isInteractive }) => {
    if (query !== undefined) {
      progress.setTotal(2);
      // a person at a terminal reads the answer as it is written; --json and pipes get it whole
      let printing: Promise<void> | undefined;
      const onAnswerStream = (answer: StepStream<undefined>, intent: string): void => {
        progress.stop(); // the answer is the last step: its line must not share a row with the progress line
        printing = printAnswerStream(answer.events, { heading: `Intent: ${intent}\n\n` });
      };
      let routed: RoutedQuery;
      try {
        routed = await routeQuery(braid, query, config, isInteractive ? { onAnswerStream } : {});
      } finally {
        await printing; // never rejects: a failed answer's error is the one routeQuery threw
      }
      if (flags.json) process.stdout.write(`${JSON.stringify({ intent: routed.intent, response: routed.response, ...(routed.fellBack ? { fellBack: true } : {}) })}\n`);
      else if (printing === undefined) process.stdout.write(toTerminalText(`Intent: ${routed.intent}${routed.fellBack ? ' (fallback)' : ''}\n\n${routed.response}\n`));
      // the heading went out before the classifier's failure was known to have chosen the intent
      else if (routed.fellBack) process.stdout.write(`(fallback: the query could not be classified)\n`);
      if (isInteractive) process.stderr.write(`braid: ${describeFinished(braid.summary())}\n`);
      return EXIT.ok;
    }

    progress.setTotal(queries.length * 2);
    // the very workflow `--redis` sends to the workers, run here; lines go out in input order as they settle
    const printer = createRoutedBatchPrinter(queries);
    await createLocalRunner(braid, { concurrency: BATCH_CONCURRENCY }).run(
      routeQueryWorkflow,
      queries.map((line) => ({ query: line, config })),
      // each answer is printed as it comes and not kept: memory stays flat however long the batch
      { onResult: (index, result) => printer.onResult(index, result as Settled<RouteQueryOutput>), keepResults: false },
    );
    const code = printer.finish({ summary: braid.summary(), json: flags.json === true, isInteractive });
    // the queries that finished are written above; a cancelled run still ends as cancelled
    if (braid.signal.aborted) throw cancellationError(braid.signal);
    return code;
  });
}
