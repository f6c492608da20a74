import { hostname } from 'node:os';
import type { LanguageModel } from 'ai';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { AnyBatchWorkflow } from '../core/batch-workflow.js';
import { InvalidWorkflowInputError } from '../core/batch-workflow-errors.js';
import type { RetryPolicy } from '../core/backoff.js';
import { InputError, RunCancelledError, RunWaitingError } from '../core/errors.js';
import type { PendingWait } from '../core/wait-journal.js';
import type { LimiterRegistry, LimitsSetting } from '../core/limiter-registry.js';
import { API_KEY_VARIABLES, createModel } from '../providers/create-model.js';
import { BATCHES_QUEUE, DEFAULT_QUEUE_PREFIX, ITEMS_QUEUE, itemJobId, itemRunId } from './batch-keys.js';
import { recordItemSpans } from './batch-spans.js';
import { connectToRedis, DEFAULT_CONNECT_TIMEOUT_MS, maskedError } from './connect-to-redis.js';
import { UnknownWorkflowError } from './distributed-errors.js';
import { ItemJobData, type BatchJobResult, type ItemJobResult } from './job-payloads.js';
import { redactSecrets } from './redact-secrets.js';
import { redisOptionsFromUrl } from './redis-connection-options.js';
import { createRedisLimiterRegistry } from './redis-limiter-registry.js';
import { createRedisStepJournal } from './redis-step-journal.js';
import { createRedisWaitJournal } from './redis-wait-journal.js';
import { parkWaitingItem } from './park-waiting-item.js';
import { runItem } from './run-item.js';
import { registerWorker } from './worker-registry.js';

export interface StartWorkerOptions {
  /** The Redis every worker and producer share: `redis://user:password@host:port`, or `rediss://` for TLS. */
  connection: string;
  /** The model items run on: a spec (`openai:gpt-4.1-mini`) or an AI SDK model. Local specs need a model built with the local engine. */
  model: LanguageModel | string;
  /**
   * The name a producer asks for to run on this model (`createRedisRunner().run(…, { model })`): a
   * batch that asks for another one is refused. @default the spec, or `<provider>:<modelId>` of an AI SDK model
   */
  modelSpec?: string;
  /** The provider's base URL, for a model given as a spec. */
  baseURL?: string;
  /** Where a spec's keys are read from. @default process.env */
  env?: Record<string, string | undefined>;
  /**
   * The workflows this worker runs, found by the name each job carries; a job naming any other is
   * refused. Give every worker the definitions its producers enqueue.
   */
  workflows: readonly AnyBatchWorkflow[];
  /** Item jobs this worker runs at once. @default 8 */
  concurrency?: number;
  /** Provider budgets, enforced across all workers through Redis. Give every worker the same. @default {} */
  limits?: LimitsSetting;
  /** Limiters to use instead of the Redis ones, e.g. a local model's, whose budget is this machine's alone. */
  limiters?: LimiterRegistry;
  /** Deadline of each call. @default 60_000 */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** How long a run's journal (and its timeline) is kept in Redis. @default 7 days */
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
  /** `ready()` rejects with `RedisUnreachableError` if Redis has not answered this long after start. @default 10_000 */
  connectTimeoutMs?: number;
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
  /** A Redis error once connected (an outage: the worker reconnects on its own). The message never holds the password. */
  | { type: 'error'; error: Error };

export interface DistributedWorker {
  readonly name: string;
  /**
   * Resolves once the worker is connected and taking jobs; rejects with `RedisAuthError` when Redis
   * refuses the credentials and `RedisUnreachableError` when it does not answer in time.
   */
  ready(): Promise<void>;
  /** Takes no new job and waits for the ones in flight to finish; with none in flight, stops at once, even while Redis is away. */
  close(): Promise<void>;
  /**
   * Stops now: cancels the runs in flight and hands their jobs back to the queue without counting
   * an attempt, so any worker resumes them from the journal.
   */
  handBack(): Promise<void>;
}

/** What a worker holds once connected. */
interface Running {
  redis: Redis;
  itemWorker: Worker;
  batchWorker: Worker;
  registration: { stop(): Promise<void> };
}

/**
 * Starts a worker: it connects to Redis (bounded by `connectTimeoutMs`), takes items, looks each
 * one's workflow up by name among `workflows`, and runs it with a runtime whose limiters and journal
 * are in Redis, so all workers share one provider budget and a job retried anywhere replays its
 * finished steps. Batch parents complete here once their items are done.
 *
 * A job is untrusted input: its payload, workflow name, model and input are checked before any step
 * runs, and a job that fails a check fails at once without a retry.
 *
 * @example
 * const worker = startWorker({ connection: process.env.BRAID_REDIS_URL!, model: 'openai:gpt-4.1-mini', workflows: [summarize], limits: { rpm: 500 } });
 * await worker.ready();
 * process.once('SIGTERM', () => void worker.close());
 */
export function startWorker({
  connection,
  model,
  modelSpec,
  baseURL,
  env = process.env,
  workflows,
  concurrency = 8,
  limits = {},
  limiters,
  timeoutMs = 60_000,
  retry,
  journalTtlMs,
  lockDurationMs = 30_000,
  stalledIntervalMs = 30_000,
  maxStalledCount = 2,
  leaseTtlMs = 15_000,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  name = `${hostname()}:${process.pid}`,
  prefix = DEFAULT_QUEUE_PREFIX,
  onEvent = () => {},
}: StartWorkerOptions): DistributedWorker {
  const redisOptions = redisOptionsFromUrl(connection);
  const registry = registryOf(workflows);
  const languageModel = typeof model === 'string' ? createModel(model, { baseURL, env }) : model;
  const servedSpec = modelSpec ?? specOf(languageModel);
  const reportError = (error: unknown): void => onEvent({ type: 'error', error: maskedError(error, connection) });
  // a failed job's reason and stack are stored in Redis: a provider error that echoes a key must not put it there
  const secrets = [...Object.values(API_KEY_VARIABLES), 'OPENAI_COMPATIBLE_API_KEY'].map((variable) => env[variable]);
  const stopController = new AbortController();
  const handBackController = new AbortController();
  let inFlight = 0;

  const start = async (): Promise<Running> => {
    const redis = await connectToRedis(connection, { connectTimeoutMs, connectionName: `braid-worker:${name}`, signal: stopController.signal, onError: reportError });
    const sharedLimiters = limiters ?? createRedisLimiterRegistry({ connection: redis, limits, leaseTtlMs, onError: reportError });
    const journal = createRedisStepJournal({ connection: redis, ttlMs: journalTtlMs });
    const waits = createRedisWaitJournal({ connection: redis, ttlMs: journalTtlMs });

    // three parameters: BullMQ passes the job's AbortSignal only to processors that declare it
    const processItem = async (job: Job, token?: string, jobSignal?: AbortSignal): Promise<ItemJobResult> => {
      inFlight += 1;
      try {
        const parsed = ItemJobData.safeParse(job.data);
        // a payload that does not parse never will: fail it now instead of retrying
        if (!parsed.success) throw new UnrecoverableError(`not a braid item job: ${z.prettifyError(parsed.error)}`);
        const data = parsed.data;
        // the journal key comes from the payload: it must name this very job, not another batch's
        if (job.id !== itemJobId(data.batchId, data.index)) throw new UnrecoverableError(`job ${job.id} does not carry its own batch id and index`);
        const signal = jobSignal ? AbortSignal.any([jobSignal, handBackController.signal]) : handBackController.signal;
        try {
          return await runItem(data, {
            workflows: registry,
            model: languageModel,
            modelSpec: servedSpec,
            workerName: name,
            limiters: sharedLimiters,
            journal,
            waits,
            signal,
            timeoutMs,
            retry,
            onSpans: (spans) =>
              recordItemSpans(redis, { prefix, batchId: data.batchId, index: data.index, spans, ttlMs: journalTtlMs, redact: (text) => redactSecrets(text, secrets) }),
          });
        } catch (error) {
          if (error instanceof RunWaitingError && !handBackController.signal.aborted && token !== undefined) {
            // the item frees this worker: parked until a signal (or its deadline) puts it back for any worker
            await parkWaitingItem(job, token, itemRunId(data.batchId, data.index), error, waits);
            onEvent({ type: 'waiting', jobId: String(job.id), waits: error.waits });
            throw new DelayedError(); // tells BullMQ the job is parked, not failed
          }
          if (handBackController.signal.aborted && token !== undefined) {
            await job.moveToWait(token);
            onEvent({ type: 'handed-back', jobId: String(job.id) });
            throw new WaitingError(); // tells BullMQ the job is already back in the queue, not failed
          }
          // a job this worker cannot run, or bad input, fails the same way on every attempt (WorkerModelMismatchError is an InputError)
          if (error instanceof InputError || error instanceof UnknownWorkflowError || error instanceof InvalidWorkflowInputError) {
            throw new UnrecoverableError(redactSecrets(error.message, secrets));
          }
          throw withoutSecrets(error, secrets);
        }
      } finally {
        inFlight -= 1;
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
    // every BullMQ object gets a handler: without one, BullMQ prints the raw error, AUTH command and all
    itemWorker.on('error', reportError);
    batchWorker.on('error', reportError);
    itemWorker.on('completed', (job) => onEvent({ type: 'completed', jobId: String(job.id) }));
    itemWorker.on('failed', (job, error) => {
      if (!job) return;
      onEvent({ type: 'failed', jobId: String(job.id), error: error.message, attemptsMade: job.attemptsMade, attempts: job.opts.attempts ?? 1 });
    });
    const registration = await registerWorker(redis, { prefix, name, model: servedSpec });
    return { redis, itemWorker, batchWorker, registration };
  };

  const started = start();
  started.catch(() => {}); // reported by ready(); close() copes with a worker that never started

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopController.abort(new RunCancelledError('the worker was closed before it connected'));
      const running = await started.catch(() => undefined);
      if (!running) return;
      const { redis, itemWorker, batchWorker, registration } = running;
      await registration.stop();
      // with no job in flight there is nothing to wait for: force, or a Redis outage would hold the close
      const force = inFlight === 0;
      await Promise.all([itemWorker.close(force), batchWorker.close(force)]);
      if (force || redis.status !== 'ready') redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
    })();
    return closing;
  };

  return {
    name,
    async ready() {
      const { itemWorker, batchWorker } = await started;
      await Promise.all([itemWorker.waitUntilReady(), batchWorker.waitUntilReady()]);
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
  if (workflows.length === 0) throw new TypeError('give startWorker the workflows it serves: workflows: [myWorkflow]');
  const registry = new Map<string, AnyBatchWorkflow>();
  for (const workflow of workflows) {
    if (registry.has(workflow.name)) throw new TypeError(`two workflows are named ${workflow.name}: give startWorker one definition per name`);
    registry.set(workflow.name, workflow);
  }
  return registry;
}

/** `openai:gpt-4.1-mini` for the AI SDK's `openai.chat` model `gpt-4.1-mini`: braid's spec form. */
function specOf(model: LanguageModel): string {
  if (typeof model === 'string') return model;
  return `${model.provider.split('.')[0]}:${model.modelId}`;
}

/** The error itself if it holds no secret; else a plain one with its message and stack redacted. */
function withoutSecrets(error: unknown, secrets: readonly (string | undefined)[]): unknown {
  if (!(error instanceof Error)) return error;
  const message = redactSecrets(error.message, secrets);
  const stack = error.stack === undefined ? undefined : redactSecrets(error.stack, secrets);
  if (message === error.message && stack === error.stack) return error;
  const redacted = error instanceof UnrecoverableError ? new UnrecoverableError(message) : new Error(message);
  redacted.name = error.name;
  if (stack !== undefined) redacted.stack = stack;
  return redacted;
}
