import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { redisOptionsFromUrl } from '../../src/distributed/index.js';
// the queue and key names are internal: a test that looks inside Redis imports them by path
import { ITEMS_QUEUE, itemJobId, itemRunId } from '../../src/distributed/batch-keys.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, startCli } from '../support/run-cli.js';
import { eventually } from './support/eventually.js';
import { startRedisServer, type RedisServer } from './support/start-redis-server.js';
import { startWorkerProcess } from './support/start-worker-process.js';

const PerDocumentOutput = z.object({
  documents: z.array(z.object({ file: z.string(), title: z.string(), faqs: z.array(z.object({ question: z.string() })).length(2) })),
  summary: z.object({ replayedSteps: z.number() }),
});

// the third document's fourth call (its second answer) hangs until its worker dies
const MARKER = 'ZEBRA-CROSSING';

let redis: RedisServer;
let server: FakeProvider;

beforeAll(async () => {
  [redis, server] = await Promise.all([
    startRedisServer(),
    startFakeProvider({ latencyMs: 50, rules: [{ match: MARKER, times: 3 }, { match: MARKER, delayMs: 600_000, times: 1 }] }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.close()]);
});

// two workers and a producer as child processes: room for a loaded machine
test('a worker killed mid-job: another worker takes the job over, journaled steps are not paid again, nothing is lost or doubled', { timeout: 120_000 }, async () => {
  const directory = join(makeTempDirectory(), 'docs');
  mkdirSync(directory);
  const titles = ['Alpha Notes', 'Beta Notes', 'Gamma Notes', 'Delta Notes'];
  titles.forEach((title, index) => {
    const extra = index === 2 ? ` The ${MARKER} is painted white.` : '';
    writeFileSync(join(directory, `doc-${index}.md`), `# ${title}\n\n${title} explain topic ${index} in plain words.${extra}\n`);
  });
  const connection = redisOptionsFromUrl(redis.url);
  const client = new Redis(connection);
  const queue = new Queue(ITEMS_QUEUE, { connection, prefix: 'braid' });
  onTestFinished(async () => {
    await queue.close();
    client.disconnect();
  });

  const first = await startWorkerProcess({ redisUrl: redis.url, server, name: 'first', args: ['--concurrency', '4', '--stall-timeout', '2000'] });
  onTestFinished(async () => {
    await first.stop('SIGKILL');
  });
  const producer = startCli(['faq', directory, '--per-document', '--json', '--questions', '2', '--mode', 'chain', '--redis', redis.url, '--run-id', 'crash-b']);

  // kill only once the other documents are done and the hung one's first three steps are journaled:
  // then what must not be paid again is exactly known
  const jobState = async (index: number) => (await Job.fromId(queue, itemJobId('crash-b', index)))?.getState();
  await eventually(async () => {
    const states = await Promise.all([0, 1, 3].map(jobState));
    const journaled = await client.hlen(`braid:journal:${itemRunId('crash-b', 2)}`);
    const hung = server.stats().timeline.some((entry) => entry.prompt.includes(MARKER) && entry.end === 0);
    return states.every((state) => state === 'completed') && journaled === 3 && hung;
  }, { what: 'the hung step of the third document' });
  first.child.kill('SIGKILL');
  await first.result;
  const cut = server.stats().timeline.filter((entry) => entry.end === 0 || entry.status !== 200);
  expect(cut).toHaveLength(1);

  const second = await startWorkerProcess({ redisUrl: redis.url, server, name: 'second', args: ['--stall-timeout', '2000'] });
  onTestFinished(async () => {
    await second.stop();
  });
  const result = await producer.result;

  expect(result.code, result.stderr).toBe(0);
  const output = PerDocumentOutput.parse(JSON.parse(result.stdout));
  expect(output.documents.map((document) => document.title)).toEqual(titles); // each once, in input order
  expect(output.summary.replayedSteps).toBe(3);
  expect((await Job.fromId(queue, itemJobId('crash-b', 2)))?.processedBy).toBe('second');

  // every prompt was answered once; only the call cut by the kill went out again
  const timeline = server.stats().timeline;
  const answered = timeline.filter((entry) => entry.status === 200).map((entry) => entry.prompt);
  expect(new Set(answered).size).toBe(answered.length);
  expect(timeline).toHaveLength(answered.length + 1);
  expect(timeline.filter((entry) => entry.prompt === cut[0]!.prompt).map((entry) => entry.status)).toEqual([0, 200]);
});
