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
