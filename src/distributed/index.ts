// braid's distributed runs (BullMQ + Redis), by name. Kept apart from the main entry so that
// `import 'braid'` does not load BullMQ and ioredis for users who never scale out.
export { createRedisLimiterRegistry, type RedisLimiterRegistryOptions } from './redis-limiter-registry.js';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { readLearnedLimits } from './read-learned-limits.js';
export { createRedisStepJournal, type RedisStepJournal, type RedisStepJournalOptions } from './redis-step-journal.js';
export { createRedisWaitJournal, type RedisWaitJournalOptions } from './redis-wait-journal.js';
export { signalDistributedRun, type SignalDistributedRunOptions, type DistributedSignalResult } from './signal-distributed-run.js';
export { startWorker, type StartWorkerOptions, type DistributedWorker, type WorkerEvent } from './start-worker.js';
export { runDistributed, type RunDistributedOptions, type DistributedRun, type BatchProgress, type ItemOutcome } from './run-distributed.js';
export { readBatchStatus, type BatchStatus, type FailedItem } from './read-batch-status.js';
export { runItem, type RunItemOptions } from './run-item.js';
export { combineSummaries } from './combine-summaries.js';
export { redisOptionsFromUrl, describeRedisUrl, type RedisConnectionOptions } from './redis-connection-options.js';
export { itemRunId, itemJobId, ITEMS_QUEUE, BATCHES_QUEUE, DEFAULT_QUEUE_PREFIX } from './batch-keys.js';
export { ItemJobData, ItemJobResult, ItemSummary, BatchJobData, BatchJobResult } from './job-payloads.js';
export { createRedisRunner, type RedisRunner, type RedisRunnerOptions, type RedisRunOptions, type RedisBatchRun } from './redis-runner.js';
export { JournalWriteError, BatchNotFoundError, InvalidJobResultError, UnknownWorkflowError, ItemFailedError } from './distributed-errors.js';
