import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, type CliResult } from '../support/run-cli.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess, waitForOutput, WORKER_ENV } from './support/start-worker-process.js';

// Every case runs braid as a child process against a real redis-server that requires a password.
const PASSWORD = 'correct-horse-battery';
const WRONG = 'tr0ub4dor-wrong';

let redis: RedisServer;
let server: FakeProvider;

beforeAll(async () => {
  [redis, server] = await Promise.all([startRedisServer({ password: PASSWORD }), startFakeProvider()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.close()]);
});

const urlWith = (password: string | undefined, port = redis.port): string =>
  password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${password}@127.0.0.1:${port}`;

function queriesFile(): string {
  const file = join(makeTempDirectory(), 'queries.txt');
  writeFileSync(file, 'Where is my parcel?\nI was charged twice\n');
  return file;
}

const workerArgs = (): string[] => ['worker', '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL, '--name', 'probe'];

/** What a refused password must look like: said once, masked, and the process gone with 1. */
function expectRefusedOnce(result: CliResult, reply: RegExp, url: string): void {
  expect(result.code, result.stderr).toBe(1);
  const said = result.stderr.split('\n').filter((line) => reply.test(line));
  expect(said).toHaveLength(1);
  expect(said[0]).toContain(url);
  expect(result.stderr).not.toContain(WRONG);
  expect(result.stderr).not.toContain(PASSWORD);
  expect(result.stderr).not.toMatch(/\bAUTH\b|ReplyError|\n\s+at /); // no command echoed, no stack
}

test('a wrong password: producer, worker and braid runs each say it once, masked, and exit 1', { timeout: 120_000 }, async () => {
  const env = { BRAID_REDIS_URL: urlWith(WRONG), ...WORKER_ENV };
  const masked = `redis://:***@127.0.0.1:${redis.port}`;
  const [producer, worker, runs] = await Promise.all([
    runCli(['route', '--batch', queriesFile(), '--redis'], { env }),
    runCli(workerArgs(), { env }),
    runCli(['runs', 'some-batch', '--redis'], { env }),
  ]);
  for (const result of [producer, worker, runs]) expectRefusedOnce(result, /WRONGPASS/, masked);
  expect(server.stats().requests).toBe(0);
});

test('no password where Redis requires one: NOAUTH, said once, exit 1', async () => {
  const result = await runCli(['route', '--batch', queriesFile(), '--redis', urlWith(undefined)]);
  expectRefusedOnce(result, /NOAUTH/, `redis://127.0.0.1:${redis.port}`);
});

test('Redis unreachable: producer and worker give up after the connect timeout with one line, exit 1', async () => {
  const port = await closedPort();
  const env = { BRAID_REDIS_URL: urlWith(PASSWORD, port), ...WORKER_ENV };
  const [producer, worker] = await Promise.all([runCli(['route', '--batch', queriesFile(), '--redis'], { env }), runCli(workerArgs(), { env })]);

  for (const result of [producer, worker]) {
    expect(result.code, result.stderr).toBe(1);
    const said = result.stderr.split('\n').filter((line) => /could not reach Redis/.test(line));
    expect(said).toEqual([expect.stringContaining(`redis://:***@127.0.0.1:${port} within 10 s (connect ECONNREFUSED`)]);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }
});

test('an idle worker exits at once on SIGTERM', async () => {
  const idle = await startWorkerProcess({ redisUrl: redis.url, server, name: 'idle' });
  onTestFinished(async () => {
    await idle.stop('SIGKILL');
  });
  const exit = await idle.stop('SIGTERM');
  expect(exit.code, exit.stderr).toBe(0);
});

test('an idle worker whose Redis has gone away says so once, and exits at once on SIGTERM', async () => {
  // its own Redis, stopped under it: the worker reconnects in a loop, and must still obey a signal
  const lonely = await startRedisServer({ password: PASSWORD });
  onTestFinished(() => lonely.close());
  const orphan = await startWorkerProcess({ redisUrl: lonely.url, server, name: 'orphan' });
  onTestFinished(async () => {
    await orphan.stop('SIGKILL');
  });
  await lonely.shutdown();
  await waitForOutput(orphan, /reconnecting/);
  const orphanExit = await orphan.stop('SIGTERM');

  expect(orphanExit.code, orphanExit.stderr).toBe(0);
  // the outage was said once, masked, however many reconnects it took
  const outage = orphanExit.stderr.split('\n').filter((line) => /reconnecting/.test(line));
  expect(outage).toEqual([expect.stringContaining(`redis://:***@127.0.0.1:${lonely.port}`)]);
  expect(orphanExit.stderr).not.toContain(PASSWORD);
});

test('a bare --redis without BRAID_REDIS_URL is a usage error naming the variable', async () => {
  const result = await runCli(['route', '--batch', queriesFile(), '--redis']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('BRAID_REDIS_URL');
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

