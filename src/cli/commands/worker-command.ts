import { Command, Option } from 'commander';
import { httpUrl, positiveInteger } from '../engine-flags.js';

export interface WorkerFlags {
  redis: string;
  status?: string;
  concurrency: number;
  model?: string;
  baseUrl?: string;
  partSize?: number;
  rpm?: number;
  tpm?: number;
  maxInFlight?: number;
  rateWindowMs?: number;
  timeout?: number;
  stallTimeout: number;
  name?: string;
  json?: boolean;
  verbose?: boolean;
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('serve distributed batches from Redis: run FAQ and route jobs that braid faq/route --redis enqueue')
    .addOption(
      new Option('--redis <url>', 'the Redis every worker and producer share, e.g. rediss://braid:PASSWORD@10.0.0.5:6379 (set BRAID_REDIS_URL instead: ps shows flags)')
        .env('BRAID_REDIS_URL')
        .makeOptionMandatory(),
    )
    .addOption(new Option('--status <batch-id>', 'print where a batch stands, with every item that failed for good, and exit'))
    .addOption(new Option('--concurrency <n>', 'jobs this worker runs at once').default(8).argParser(positiveInteger))
    .addOption(new Option('-m, --model <spec>', 'model spec the jobs run on (see braid --help)').env('BRAID_MODEL'))
    .addOption(new Option('--base-url <url>', "override the provider's base URL").env('BRAID_BASE_URL').argParser(httpUrl))
    .addOption(new Option('--part-size <chars>', "characters of document per prompt in FAQ jobs (default: from the model's context window)").argParser(positiveInteger))
    .addOption(new Option('--rpm <n>', 'requests per minute for this provider + model, summed over all workers').argParser(positiveInteger))
    .addOption(new Option('--tpm <n>', 'tokens per minute, summed over all workers').argParser(positiveInteger))
    .addOption(new Option('--max-in-flight <n>', 'calls in flight at once, summed over all workers (default: no cap)').argParser(positiveInteger))
    .addOption(new Option('--rate-window-ms <ms>', 'the --rpm/--tpm window; shorten it only to test or benchmark (default 60000)').env('BRAID_RATE_WINDOW_MS').argParser(positiveInteger))
    .addOption(new Option('--timeout <ms>', 'deadline of each call (default: 60000 cloud, 600000 local)').argParser(positiveInteger))
    .addOption(new Option('--stall-timeout <ms>', "a killed worker's jobs are taken over after about this long").default(30_000).argParser(positiveInteger))
    .addOption(new Option('--name <name>', 'this worker, as stored on the jobs it runs (default: host:pid)'))
    .addOption(new Option('--json', 'with --status: print JSON'))
    .addOption(new Option('--verbose', 'print every finished job, and stack traces on errors'))
    .addHelpText(
      'after',
      `
Examples:
  $ export BRAID_REDIS_URL='rediss://braid:PASSWORD@10.0.0.5:6379'
  $ braid worker --model openai:gpt-4.1-mini --rpm 500 --concurrency 16
  $ braid faq corpus/ --per-document --json --redis > faqs.json   # on any machine
  $ braid route --batch tickets.txt --redis > routed.jsonl
  $ braid worker --status 3f2c9a1e-…                              # failed items of a batch

Give every worker the same --model, --rpm, --tpm and --max-in-flight: the budgets live in Redis
and hold for all workers together. A worker serves the faq and route jobs that braid enqueues and
trusts nothing else in a job: it reads no file a job names. Ctrl-C (or SIGTERM) finishes the jobs
in flight (an idle worker exits at once); a second Ctrl-C hands them back to the queue, and another
worker resumes them from the journal. A wrong password, or a Redis that does not answer within
10 s, exits 1. Redis needs a password, TLS across hosts, and persistence (appendonly yes) for a
run to survive a Redis restart: see Security in the README.`,
    )
    .action(async (flags: WorkerFlags) => {
      // BullMQ, ioredis and the local engine load only for a worker
      process.exitCode = await (await import('../run-worker.js')).runWorker(flags);
    });
}
