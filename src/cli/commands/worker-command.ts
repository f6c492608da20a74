import type { LanguageModel } from 'ai';
import { Command, Option } from 'commander';
import { createLimiterRegistry, type LimiterRegistry } from '../../core/limiter-registry.js';
import { BatchNotFoundError } from '../../distributed/distributed-errors.js';
import { describeRedisUrl } from '../../distributed/redis-connection-options.js';
import { readBatchStatus, type BatchStatus } from '../../distributed/read-batch-status.js';
import { startWorker, type WorkerEvent } from '../../distributed/start-worker.js';
import { createModel } from '../../providers/create-model.js';
import { createLocalEngine, type LocalEngine } from '../../providers/local/local-engine.js';
import { defaultModelSpec, parseModelSpec } from '../../providers/model-spec.js';
import { positiveInteger } from '../engine-flags.js';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../report-error.js';

interface WorkerFlags {
  redis: string;
  status?: string;
  concurrency: number;
  model?: string;
  baseUrl?: string;
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

const CLOUD_TIMEOUT_MS = 60_000;
const LOCAL_TIMEOUT_MS = 600_000;
const CLOUD_PROMPT_CHARACTERS = 24_000;
// as in open-cli-runtime: room for instructions and the answer, at a conservative 3 characters per token
const LOCAL_RESERVED_TOKENS = 1_536;
const CHARACTERS_PER_TOKEN = 3;

export function workerCommand(): Command {
  return new Command('worker')
    .description('serve distributed batches from Redis: run FAQ and route jobs that braid faq/route --redis enqueue')
    .addOption(new Option('--redis <url>', 'the Redis every worker and producer share, e.g. redis://10.0.0.5:6379').env('BRAID_REDIS_URL').makeOptionMandatory())
    .addOption(new Option('--status <batch-id>', 'print where a batch stands, with every item that failed for good, and exit'))
    .addOption(new Option('--concurrency <n>', 'jobs this worker runs at once').default(8).argParser(positiveInteger))
    .addOption(new Option('-m, --model <spec>', 'model spec the jobs run on (see braid --help)').env('BRAID_MODEL'))
    .addOption(new Option('--base-url <url>', "override the provider's base URL").env('BRAID_BASE_URL'))
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
  $ braid worker --redis redis://10.0.0.5:6379 --model openai:gpt-4.1-mini --rpm 500 --concurrency 16
  $ braid faq corpus/ --per-document --json --redis redis://10.0.0.5:6379 > faqs.json   # on any machine
  $ braid route --batch tickets.txt --redis redis://10.0.0.5:6379 > routed.jsonl
  $ braid worker --redis redis://10.0.0.5:6379 --status 3f2c9a1e-…                      # failed items of a batch

Give every worker the same --model, --rpm, --tpm and --max-in-flight: the budgets live in Redis
and hold for all workers together. Ctrl-C (or SIGTERM) finishes the jobs in flight; a second
Ctrl-C hands them back to the queue at once, and another worker resumes them from the journal.
Redis needs persistence (appendonly yes) for a run to survive a Redis restart.`,
    )
    .action(async (flags: WorkerFlags) => {
      process.exitCode = flags.status === undefined ? await serve(flags) : await printStatus(flags.status, flags);
    });
}

async function printStatus(batchId: string, flags: WorkerFlags): Promise<number> {
  let status: BatchStatus;
  try {
    status = await readBatchStatus({ connection: flags.redis, batchId });
  } catch (error) {
    const code = reportError(error, { verbose: flags.verbose });
    return error instanceof BatchNotFoundError ? EXIT.usage : code;
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `batch ${status.batchId} (${status.kind}): ${status.state} · ${status.completed} of ${status.total} done · ${status.failed.length} failed · ${status.pending} pending`,
    ...status.failed.map((item) => `  failed #${item.index} (job ${item.jobId}) after ${item.attempts} attempt${item.attempts === 1 ? '' : 's'}: ${item.error}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function serve(flags: WorkerFlags): Promise<number> {
  const env = process.env;
  const modelSpec = flags.model ?? defaultModelSpec(env);
  let engine: LocalEngine | undefined;
  try {
    const isLocal = parseModelSpec(modelSpec).provider === 'local';
    let model: LanguageModel;
    let limiters: LimiterRegistry | undefined;
    let maxPartCharacters = CLOUD_PROMPT_CHARACTERS;
    if (isLocal) {
      engine = createLocalEngine({ env });
      const path = parseModelSpec(modelSpec).model;
      const info = await engine.load(path === '' ? undefined : path);
      model = createModel(modelSpec, { env, local: engine });
      // a local model's capacity is this machine's own: its budget is not shared through Redis
      limiters = createLimiterRegistry({ concurrency: flags.maxInFlight ?? info.sequences });
      maxPartCharacters = Math.max(1_000, (info.contextSize - LOCAL_RESERVED_TOKENS) * CHARACTERS_PER_TOKEN);
    } else {
      model = createModel(modelSpec, { baseURL: flags.baseUrl, env });
    }

    let lastError = '';
    const onEvent = (event: WorkerEvent): void => {
      if (event.type === 'error') {
        // a Redis outage repeats the same error on every retry: say it once
        const message = event.error instanceof Error ? event.error.message : String(event.error);
        if (message !== lastError) process.stderr.write(`braid: ${message}${message.includes('ECONNREFUSED') ? ' (Redis is away; reconnecting)' : ''}\n`);
        lastError = message;
        return;
      }
      lastError = '';
      if (event.type === 'failed') {
        const retry = event.attemptsMade < event.attempts ? 'will retry' : 'failed for good';
        process.stderr.write(`braid: job ${event.jobId} failed (attempt ${event.attemptsMade} of ${event.attempts}, ${retry}): ${event.error}\n`);
      } else if (event.type === 'handed-back') {
        process.stderr.write(`braid: handed job ${event.jobId} back to the queue\n`);
      } else if (flags.verbose) {
        process.stderr.write(`braid: job ${event.jobId} done\n`);
      }
    };

    const worker = startWorker({
      connection: flags.redis,
      model,
      concurrency: flags.concurrency,
      limits: { rpm: flags.rpm, tpm: flags.tpm, concurrency: flags.maxInFlight, windowMs: flags.rateWindowMs },
      limiters,
      timeoutMs: flags.timeout ?? (isLocal ? LOCAL_TIMEOUT_MS : CLOUD_TIMEOUT_MS),
      maxPartCharacters,
      lockDurationMs: flags.stallTimeout,
      // look for dead workers' jobs as often as a lock can lapse, so a takeover waits about one stall timeout
      stalledIntervalMs: Math.max(500, Math.floor(flags.stallTimeout / 2)),
      name: flags.name,
      env,
      onEvent,
    });
    const stopped = waitForShutdown(worker);
    await worker.ready();
    const budget = [flags.rpm ? `${flags.rpm} rpm` : '', flags.tpm ? `${flags.tpm} tpm` : '', flags.maxInFlight ? `${flags.maxInFlight} in flight` : '']
      .filter(Boolean)
      .join(', ');
    process.stderr.write(
      `braid: worker ${worker.name} ready on ${describeRedisUrl(flags.redis)} (${modelSpec}, ${flags.concurrency} jobs at once${budget ? `, ${budget} across all workers` : ''})\n`,
    );
    return await stopped;
  } catch (error) {
    return reportError(error, { verbose: flags.verbose });
  } finally {
    await engine?.dispose();
  }
}

/** Resolves with the exit code once a signal has stopped the worker: the first finishes the jobs in flight, the second hands them back. */
function waitForShutdown(worker: { close(): Promise<void>; handBack(): Promise<void> }): Promise<number> {
  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals === 1) {
        process.stderr.write(`\nbraid: ${signal}: finishing the jobs in flight, taking no new ones (Ctrl-C again to hand them back now)\n`);
        void worker.close().then(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(signals > 1 ? EXIT.cancelled : EXIT.ok);
        });
      } else if (signals === 2) {
        process.stderr.write('braid: handing the jobs in flight back to the queue\n');
        void worker.handBack(); // the first signal's close() resolves once they are back
      } else {
        process.exit(EXIT.cancelled);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
