import { BraidError, InputError } from '../core/errors.js';

/** A step result could not be written to the Redis journal; the step runs again if the job is retried. */
export class JournalWriteError extends BraidError {
  override name = 'JournalWriteError';
  readonly runId: string;
  constructor(runId: string, options: { cause: unknown }) {
    super(`could not journal a step of run ${runId} in Redis: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
    this.runId = runId;
  }
}

/** No batch with this id is in Redis: never enqueued, removed, or another `--redis` / prefix. */
export class BatchNotFoundError extends BraidError {
  override name = 'BatchNotFoundError';
  readonly batchId: string;
  constructor(batchId: string) {
    super(`no batch ${batchId} in this Redis: check --redis and the id printed when the batch was enqueued`);
    this.batchId = batchId;
  }
}

/** A worker answered with a result this version of braid cannot read (workers and producer differ in version). */
export class InvalidJobResultError extends BraidError {
  override name = 'InvalidJobResultError';
  readonly jobId: string;
  constructor(jobId: string, options: { cause: unknown }) {
    super(`job ${jobId} returned a result this braid cannot read: run the same braid version on workers and producer`, options);
    this.jobId = jobId;
  }
}

/** A job names a workflow this worker was not started with (see `startWorker({ workflows })`). */
export class UnknownWorkflowError extends BraidError {
  override name = 'UnknownWorkflowError';
  readonly workflow: string;
  constructor(workflow: string, known: readonly string[]) {
    super(`this worker has no workflow named ${workflow} (it has ${known.join(', ') || 'none'}): start it with that workflow in startWorker({ workflows })`);
    this.workflow = workflow;
  }
}

/** An item of a distributed batch failed for good on the workers, after its attempts. */
export class ItemFailedError extends BraidError {
  override name = 'ItemFailedError';
  /** Attempts the workers made; 0 when the job was removed from Redis before it ran. */
  readonly attempts: number;
  /** The last attempt's error, as the worker reported it. */
  constructor(reason: string, attempts: number) {
    super(reason);
    this.attempts = attempts;
  }
}

/** Redis refused the user or password of the URL (`WRONGPASS`, `NOAUTH`): retrying cannot help. */
export class RedisAuthError extends BraidError {
  override name = 'RedisAuthError';
  /** The URL with its password masked. */
  readonly redis: string;
  constructor(redis: string, reply: string, options: { cause: unknown }) {
    super(`Redis at ${redis} refused braid's credentials (${reply}): set the user and password in BRAID_REDIS_URL, e.g. rediss://braid:PASSWORD@host:6379`, options);
    this.redis = redis;
  }
}

/** Redis did not answer within the connect timeout: not running, a wrong host or port, or a firewall. */
export class RedisUnreachableError extends BraidError {
  override name = 'RedisUnreachableError';
  /** The URL with its password masked. */
  readonly redis: string;
  constructor(redis: string, timeoutMs: number, lastError: string, options: { cause: unknown }) {
    super(`could not reach Redis at ${redis} within ${timeoutMs / 1000} s (${lastError}): is it running, and are the host and port right?`, options);
    this.redis = redis;
  }
}

/** A batch asks for a model that a worker serving it does not run: its items would run on another model. */
export class WorkerModelMismatchError extends InputError {
  override name = 'WorkerModelMismatchError';
  readonly requested: string;
  /** The workers that serve another model, by name. */
  readonly workers: readonly { name: string; model: string }[];
  constructor(requested: string, workers: readonly { name: string; model: string }[]) {
    const serving = workers.map((worker) => `${worker.name} serves ${worker.model}`).join(', ');
    super(`the batch asks for model ${requested}, but ${serving}: items run on the workers' model, so give the producer the workers' --model (or none), or start workers with --model ${requested}`);
    this.requested = requested;
    this.workers = workers;
  }
}
