import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess, WORKER_ENV, type WorkerProcess } from './support/start-worker-process.js';

let redis: RedisServer;
let server: FakeProvider;
let worker: WorkerProcess;

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer(), startFakeProvider()]);
  worker = await startWorkerProcess({ redisUrl: redis.url, server, name: 'cli' });
});
afterAll(async () => {
  await worker?.stop();
  await Promise.all([server?.close(), redis?.close()]);
});

const localArgs = (): string[] => ['--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL];

test('faq --per-document --json --redis prints what the local run prints, summary keys included', async () => {
  const [local, distributed] = await Promise.all([
    runCli(['faq', '--per-document', '--json', '--questions', '2', ...localArgs()], { env: WORKER_ENV }),
    runCli(['faq', '--per-document', '--json', '--questions', '2', '--redis', redis.url]),
  ]);

  expect(local.code, local.stderr).toBe(0);
  expect(distributed.code, distributed.stderr).toBe(0);
  const [localOutput, distributedOutput] = [local, distributed].map((result) => JSON.parse(result.stdout) as { documents: unknown[]; summary: Record<string, unknown> });
  // the fake answers each prompt the same way every time, so the FAQs are equal, not just alike
  expect(distributedOutput!.documents).toEqual(localOutput!.documents);
  expect(Object.keys(distributedOutput!.summary)).toEqual(Object.keys(localOutput!.summary));
  expect(distributedOutput!.summary.calls).toBe(localOutput!.summary.calls);
});

test('route --batch --redis prints the local JSONL, in input order', async () => {
  const file = join(makeTempDirectory(), 'queries.txt');
  writeFileSync(file, 'The app crashes on start\nI was charged twice\nDo you have stores in Lyon?\n');

  const [local, distributed] = await Promise.all([
    runCli(['route', '--batch', file, ...localArgs()], { env: WORKER_ENV }),
    runCli(['route', '--batch', file, '--redis', redis.url]),
  ]);

  expect(distributed.code, distributed.stderr).toBe(0);
  expect(distributed.stdout).toBe(local.stdout);
});

test('--redis needs a batch: --per-document for faq, --batch for route', async () => {
  const faq = await runCli(['faq', '--redis', redis.url]);
  const route = await runCli(['route', 'one query', '--redis', redis.url]);

  expect(faq.code).toBe(2);
  expect(faq.stderr).toContain('--per-document');
  expect(route.code).toBe(2);
  expect(route.stderr).toContain('--batch');
});
