import { BraidError } from '../core/errors.js';

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
