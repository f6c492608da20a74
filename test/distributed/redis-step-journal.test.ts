import { expect, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import { createModel, createRuntime } from '../../src/index.js';
import { createRedisStepJournal, JournalWriteError } from '../../src/distributed/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { useRedisServer } from './support/use-redis-server.js';

const Fact = z.object({ fact: z.string() });

const { connect } = useRedisServer();

test('a run retried on another machine replays the steps its first attempt journaled', async () => {
  const server = await startFakeProvider();
  onTestFinished(() => server.close());
  const model = createModel('openai:gpt-4.1-mini', { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } });
  const workflow = async (journal: ReturnType<typeof createRedisStepJournal>) => {
    await journal.load('batch-1/0');
    const braid = createRuntime({ model, journal, runId: 'batch-1/0' });
    const first = await braid.step({ name: 'first', prompt: 'One fact about iron', schema: Fact });
    const second = await braid.step({ name: 'second', prompt: 'One fact about zinc', schema: Fact });
    await journal.flush('batch-1/0');
    return { values: [first, second], replayed: braid.summary().replayedSteps };
  };

  const firstMachine = await workflow(createRedisStepJournal({ connection: connect() }));
  const secondMachine = await workflow(createRedisStepJournal({ connection: connect() }));

  expect(secondMachine.values).toEqual(firstMachine.values);
  expect(secondMachine.replayed).toBe(2);
  expect(server.stats().requests).toBe(2);
});

test("a run's journal expires after its TTL", async () => {
  const connection = connect();
  const journal = createRedisStepJournal({ connection, keyPrefix: 'ttl-test', ttlMs: 60_000 });
  journal.write('run-ttl', 'step#0', { value: { fact: 'kept a minute' } });
  await journal.flush('run-ttl');

  const ttl = await connection.pttl('ttl-test:run-ttl');
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(60_000);
});

test('a write Redis refuses surfaces at flush as a JournalWriteError', async () => {
  const connection = connect();
  await connection.set('broken-journal:run-x', 'not a hash');
  const journal = createRedisStepJournal({ connection, keyPrefix: 'broken-journal' });
  // the write's own promise says it is not durable, and so does the flush after it
  await expect(journal.write('run-x', 'step#0', { value: { fact: 'lost' } })).rejects.toThrow();

  await expect(journal.flush('run-x')).rejects.toBeInstanceOf(JournalWriteError);
});

test('a run not loaded replays nothing (reads are synchronous, so load comes first)', async () => {
  const connection = connect();
  const writer = createRedisStepJournal({ connection, keyPrefix: 'load-test' });
  writer.write('run-y', 'step#0', { value: { fact: 'written' } });
  await writer.flush('run-y');
  const reader = createRedisStepJournal({ connection, keyPrefix: 'load-test' });

  expect(reader.read('run-y', 'step#0')).toBeUndefined();
  await reader.load('run-y');
  expect(reader.read('run-y', 'step#0')).toEqual({ value: { fact: 'written' } });
});

test('a write resolves once Redis holds it, and a write Redis refuses rejects at the write', async () => {
  const connection = connect();
  const reader = connect();
  const journal = createRedisStepJournal({ connection, keyPrefix: 'durable-write' });

  // the runtime awaits this promise: when it resolves, another client (another machine) reads the step
  await journal.write('run-d', 'step#0', { value: { fact: 'kept' } });
  expect(await reader.hget('durable-write:run-d', 'step#0')).toBe(JSON.stringify({ value: { fact: 'kept' } }));

  await connection.set('durable-write:run-e', 'not a hash');
  await expect(journal.write('run-e', 'step#0', { value: { fact: 'lost' } })).rejects.toBeInstanceOf(JournalWriteError);
});
