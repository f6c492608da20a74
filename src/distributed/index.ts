// braid's distributed runs (BullMQ + Redis), by name. Kept apart from the main entry so that
// `import 'braid'` does not load BullMQ and ioredis for users who never scale out.
//
// One runner API: `createRedisRunner` enqueues and collects, `startWorker` serves, `readBatchStatus`
// reports. Queue names, job payloads and keys are internal: they change with braid's version.
export { createRedisRunner, type RedisRunner, type RedisRunnerOptions, type RedisRunOptions, type RedisBatchRun } from './redis-runner.js';
export type { BatchProgress } from './run-distributed.js';
export { startWorker, type StartWorkerOptions, type DistributedWorker, type WorkerEvent } from './start-worker.js';
export { readBatchStatus, type ReadBatchStatusOptions, type BatchStatus, type FailedItem } from './read-batch-status.js';
export { createRedisLimiterRegistry, type RedisLimiterRegistryOptions } from './redis-limiter-registry.js';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { readLearnedLimits } from './read-learned-limits.js';
export { createRedisStepJournal, type RedisStepJournal, type RedisStepJournalOptions } from './redis-step-journal.js';
// waits on workers: where an item's waits live, and how an answer reaches a parked item
export { createRedisWaitJournal, type RedisWaitJournalOptions } from './redis-wait-journal.js';
export { signalDistributedRun, type SignalDistributedRunOptions, type DistributedSignalResult } from './signal-distributed-run.js';
export { redisOptionsFromUrl, type RedisConnectionOptions } from './redis-connection-options.js';
export {
  BatchNotFoundError,
  InvalidJobResultError,
  ItemFailedError,
  JournalWriteError,
  RedisAuthError,
  RedisUnreachableError,
  UnknownWorkflowError,
  WorkerModelMismatchError,
} from './distributed-errors.js';
