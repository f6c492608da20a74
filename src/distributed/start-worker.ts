import { hostname } from 'node:os';
import type { LanguageModel } from 'ai';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { AnyBatchWorkflow } from '../core/batch-workflow.js';
import { InvalidWorkflowInputError } from '../core/batch-workflow-errors.js';
import type { RetryPolicy } from '../core/backoff.js';
import { RunCancelledError, RunWaitingError } from '../core/errors.js';
import type { PendingWait } from '../core/wait-journal.js';
import type { LimiterRegistry, LimitsSetting } from '../core/limiter-registry.js';
import { createModel } from '../providers/create-model.js';
import { builtInWorkflows } from '../workflows/built-in-workflows.js';
import { InputError } from '../core/errors.js';
import { BATCHES_QUEUE, DEFAULT_QUEUE_PREFIX, ITEMS_QUEUE, itemRunId } from './batch-keys.js';
import { UnknownWorkflowError } from './distributed-errors.js';
import { ItemJobData, type BatchJobResult, type ItemJobResult } from './job-payloads.js';
import { redisOptionsFromUrl } from './redis-connection-options.js';
import { createRedisLimiterRegistry } from './redis-limiter-registry.js';
import { createRedisStepJournal } from './redis-step-journal.js';
import { createRedisWaitJournal } from './redis-wait-journal.js';
import { parkWaitingItem } from './park-waiting-item.js';
import { runItem } from './run-item.js';

export interface StartWorkerOptions {
  /** The Redis every worker and producer share: `redis://host:port`. */
  connection: string;
  /** The model items run on: a spec (`openai:gpt-4.1-mini`) or an AI SDK model. Local specs need a model built with the local engine. */
  model: LanguageModel | string;
  /** The provider's base URL, for a model given as a spec. */
  baseURL?: string;
  /** Where a spec's keys are read from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Item jobs this worker runs at once. @default 8 */
  concurrency?: number;
  /** Provider budgets, enforced across all workers through Redis. Give every worker the same. @default {} */
  limits?: LimitsSetting;
  /** Limiters to use instead of the Redis ones, e.g. a local model's, whose budget is this machine's alone. */
  limiters?: LimiterRegistry;
  /** Deadline of each call. @default 60_000 */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * The workflows this worker runs, found by the name each job carries. Give every worker the
   * definitions its producers enqueue. @default braid's built-in `faq` and `route` workflows
   */
  workflows?: readonly AnyBatchWorkflow[];
  /** Documents longer than this are split, by the built-in `faq` workflow (when `workflows` is not given). @default 24_000 */
  maxPartCharacters?: number;
  /** How long a run's journal is kept in Redis. @default 7 days */
  journalTtlMs?: number;
  /**
   * A job's lock lasts this long unless renewed (every half of it); a killed worker's jobs go back to
   * the queue once it lapses and a stalled check runs. @default 30_000
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. @default 30_000 */
  stalledIntervalMs?: number;
  /** Times a job may lose its worker before it fails (a job that kills its worker must not loop). @default 2 */
  maxStalledCount?: number;
  /** See `RedisRateLimiterOptions.leaseTtlMs`. @default 15_000 */
  leaseTtlMs?: number;
  /** Stored on every job it processes, to see who did what. @default `<hostname>:<pid>` */
  name?: string;
  /** BullMQ's key prefix; producer and workers must agree. @default 'braid' */
  prefix?: string;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'completed'; jobId: string }
  /** `attemptsMade` of `attempts`: fewer means BullMQ retries it after its backoff. */
  | { type: 'failed'; jobId: string; error: string; attemptsMade: number; attempts: number }
  | { type: 'handed-back'; jobId: string }
  /** The item stopped at waits: its job is parked (delayed) until a signal or its earliest deadline. */
  | { type: 'waiting'; jobId: string; waits: readonly PendingWait[] }
  | { type: 'error'; error: unknown };

export interface DistributedWorker {
  readonly name: string;
  /** Resolves once the worker is connected and taking jobs. */
  ready(): Promise<void>;
  /** Takes no new job and waits for the ones in flight to finish. */
  close(): Promise<void>;
  /**
   * Stops now: cancels the runs in flight and hands their jobs back to the queue without counting
   * an attempt, so any worker resumes them from the journal.
   */
  handBack(): Promise<void>;
}

/**
 * Starts a worker: it takes items from Redis, looks each one's workflow up by name, and runs it with a runtime whose
 * limiters and journal are in Redis, so all workers share one provider budget and a job retried
 * anywhere replays its finished steps. Batch parents complete here once their items are done.
 *
 * @example
 * const worker = startWorker({ connection: 'redis://10.0.0.5:6379', model: 'openai:gpt-4.1-mini', limits: { rpm: 500 } });
 * process.once('SIGTERM', () => void worker.close());
 */
export function startWorker({
  connection,
  model,
  baseURL,
  env = process.env,
  concurrency = 8,
  limits = {},
  limiters,
  timeoutMs = 60_000,
  retry,
  maxPartCharacters = 24_000,
  workflows = builtInWorkflows({ maxPartCharacters }),
  journalTtlMs,
  lockDurationMs = 30_000,
  stalledIntervalMs = 30_000,
  maxStalledCount = 2,
  leaseTtlMs = 15_000,
  name = `${hostname()}:${process.pid}`,
  prefix = DEFAULT_QUEUE_PREFIX,
  onEvent = () => {},
}: StartWorkerOptions): DistributedWorker {
  const redisOptions = redisOptionsFromUrl(connection);
  const registry = registryOf(workflows);
  const languageModel = typeof model === 'string' ? createModel(model, { baseURL, env }) : model;
  const redis = new Redis({ ...redisOptions, connectionName: `braid-worker:${name}` });
  const reportError = (error: unknown): void => onEvent({ type: 'error', error });
  redis.on('error', reportError);
  const sharedLimiters = limiters ?? createRedisLimiterRegistry({ connection: redis, limits, leaseTtlMs, onError: reportError });
  const journal = createRedisStepJournal({ connection: redis, ttlMs: journalTtlMs });
  const waits = createRedisWaitJournal({ connection: redis, ttlMs: journalTtlMs });
  const handBackController = new AbortController();

  // three parameters: BullMQ passes the job's AbortSignal only to processors that declare it
  const processItem = async (job: Job, token?: string, jobSignal?: AbortSignal): Promise<ItemJobResult> => {
    const parsed = ItemJobData.safeParse(job.data);
    // a payload that does not parse never will: fail it now instead of retrying
    if (!parsed.success) throw new UnrecoverableError(`not a braid item job: ${z.prettifyError(parsed.error)}`);
    const signal = jobSignal ? AbortSignal.any([jobSignal, handBackController.signal]) : handBackController.signal;
    try {
      return await runItem(parsed.data, { workflows: registry, model: languageModel, limiters: sharedLimiters, journal, waits, signal, timeoutMs, retry });
    } catch (error) {
      if (error instanceof RunWaitingError && !handBackController.signal.aborted && token !== undefined) {
        // the item frees this worker: parked until a signal (or its deadline) puts it back for any worker
        await parkWaitingItem(job, token, itemRunId(parsed.data.batchId, parsed.data.index), error, waits);
        onEvent({ type: 'waiting', jobId: String(job.id), waits: error.waits });
        throw new DelayedError(); // tells BullMQ the job is parked, not failed
      }
      if (handBackController.signal.aborted && token !== undefined) {
        await job.moveToWait(token);
        onEvent({ type: 'handed-back', jobId: String(job.id) });
        throw new WaitingError(); // tells BullMQ the job is already back in the queue, not failed
      }
      // a job this worker cannot run, or bad input, fails the same way on every attempt
      if (error instanceof InputError || error instanceof UnknownWorkflowError || error instanceof InvalidWorkflowInputError) {
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };

  const workerOptions = {
    connection: redisOptions,
    prefix,
    name,
    lockDuration: lockDurationMs,
    stalledInterval: stalledIntervalMs,
    maxStalledCount,
  };
  const itemWorker = new Worker(ITEMS_QUEUE, processItem, { ...workerOptions, concurrency });
  const batchWorker = new Worker(
    BATCHES_QUEUE,
    async (job: Job): Promise<BatchJobResult> => {
      // BullMQ hands a parent to a worker only once no child is left unprocessed
      const counts = await job.getDependenciesCount({ processed: true, ignored: true, failed: true });
      const completed = counts.processed ?? 0;
      const failed = (counts.ignored ?? 0) + (counts.failed ?? 0);
      return { total: completed + failed, completed, failed };
    },
    { ...workerOptions, concurrency: 4 },
  );

  itemWorker.on('completed', (job) => onEvent({ type: 'completed', jobId: String(job.id) }));
  itemWorker.on('failed', (job, error) => {
    if (!job) return;
    onEvent({ type: 'failed', jobId: String(job.id), error: error.message, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 });
  });
  itemWorker.on('error', reportError);
  batchWorker.on('error', reportError);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.all([itemWorker.close(), batchWorker.close()]);
      await redis.quit().catch(() => redis.disconnect());
    })();
    return closing;
  };

  return {
    name,
    async ready() {
      await Promise.all([itemWorker.waitUntilReady(), batchWorker.waitUntilReady(), redis.ping()]);
    },
    close,
    handBack() {
      handBackController.abort(new RunCancelledError('the worker is shutting down: the job goes back to the queue'));
      return close();
    },
  };
}

/** The workflows by name; two with one name would make a job's meaning depend on the worker. */
function registryOf(workflows: readonly AnyBatchWorkflow[]): ReadonlyMap<string, AnyBatchWorkflow> {
  const registry = new Map<string, AnyBatchWorkflow>();
  for (const workflow of workflows) {
    if (registry.has(workflow.name)) throw new TypeError(`two workflows are named ${workflow.name}: give startWorker one definition per name`);
    registry.set(workflow.name, workflow);
  }
  return registry;
}
