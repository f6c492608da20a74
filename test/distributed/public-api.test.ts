import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as distributed from '../../src/distributed/index.js';
import { startWorker } from '../../src/distributed/index.js';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

test('braid/distributed exports one runner API and none of its queue or payload internals', () => {
  expect(Object.keys(distributed).sort()).toEqual(
    [
      // the runner and the worker
      'createRedisRunner',
      'startWorker',
      'readBatchStatus',
      // building blocks for a runtime of one's own on Redis
      'createRedisLimiterRegistry',
      'createRedisRateLimiter',
      'createRedisStepJournal',
      'redisOptionsFromUrl',
      // what the workers have learned of the provider's limits (braid limits --redis)
      'readLearnedLimits',
      // waits on workers
      'createRedisWaitJournal',
      'signalDistributedRun',
      // errors a caller tells apart
      'BatchNotFoundError',
      'InvalidJobResultError',
      'ItemFailedError',
      'JournalWriteError',
      'RedisAuthError',
      'RedisUnreachableError',
      'UnknownWorkflowError',
      'WorkerModelMismatchError',
    ].sort(),
  );
});

test('src/distributed imports nothing from the apps: a worker serves the workflows it is given', () => {
  const directory = join(REPOSITORY_ROOT, 'src', 'distributed');
  const upward = readdirSync(directory)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [...readFileSync(join(directory, file), 'utf8').matchAll(/from '(\.\.\/(?:workflows|cli)\/[^']+)'/g)].map((match) => `${file}: ${match[1]}`));
  expect(upward).toEqual([]);
});

// compiled by `npm run typecheck`, never called: a worker has no default workflows
export function workflowsAreRequired(): void {
  // @ts-expect-error: `workflows` is required
  startWorker({ connection: 'redis://127.0.0.1:6379', model: 'openai:gpt-4.1-mini' });
}
