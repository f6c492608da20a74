import { join } from 'node:path';
import { expect, expectTypeOf, onTestFinished, test } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  InputError,
  InvalidSignalError,
  openRunStore,
  resume,
  RunWaitingError,
  signal,
  startRun,
  WaitTimeoutError,
  type Run,
  type RunStore,
} from '../../src/index.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory } from '../support/run-cli.js';
import { modelOn, QUICK_RETRY } from '../support/wire-models.js';
import { loadSqlite } from '../../src/store/load-sqlite.js';

const Approval = z.object({ approved: z.boolean(), note: z.string().optional() });
const Fact = z.object({ fact: z.string() });

async function setup() {
  const server = await startFakeProvider({ seed: 11 });
  onTestFinished(() => server.close());
  const clock = { time: Date.parse('2030-01-01T00:00:00Z') };
  const file = join(makeTempDirectory('braid-waits-'), 'runs.db');
  const stores: RunStore[] = [];
  /** A store on the test's clock; each "process" of a test opens its own. */
  const open = (): RunStore => {
    const store = openRunStore(file, { now: () => clock.time });
    stores.push(store);
    onTestFinished(() => store.close());
    return store;
  };
  const model = modelOn('openai', server);
  const options = (input: Record<string, unknown> = {}) => ({ model, retry: QUICK_RETRY, workflow: 'refund', input });
  return { server, clock, open, model, options };
}

/** Runs `body` as one session of a stored run: how it ended, and its result when it got one. */
async function session<T>(run: ReturnType<typeof startRun>, body: (run: Run) => Promise<T>) {
  try {
    const value = await body(run);
    run.finish('ok');
    return { status: 'done' as const, value };
  } catch (error) {
    if (error instanceof RunWaitingError) {
      run.finish('waiting');
      return { status: 'waiting' as const, waits: error.waits };
    }
    run.finish('error');
    return { status: 'failed' as const, error };
  }
}

/** A step, then an approval, then a step that uses the answer. */
const refund = async (run: Run) => {
  const { fact } = await run.step({ name: 'assess', prompt: 'Assess the refund of order A-1', schema: Fact });
  const approval = await run.waitFor('approval', Approval, { prompt: 'Refund 120 USD on order A-1?' });
  // the answer is typed by its schema
  expectTypeOf(approval).toEqualTypeOf<{ approved: boolean; note?: string | undefined }>();
  const reply = await run.step({ name: 'reply', prompt: `Write the reply: approved=${approval.approved}, ${fact}` });
  return { approval, reply };
};

test('a run stops at a wait, a signal answers it, and the resume goes on without calling anything before the wait again', async () => {
  const { server, open, options } = await setup();
  const first = await session(startRun(open(), { ...options(), runId: 'r1' }), refund);
  expect(first.status).toBe('waiting');
  expect(first.status === 'waiting' && first.waits).toEqual([
    expect.objectContaining({ runId: 'r1', name: 'approval', kind: 'signal', key: '/approval#0', prompt: 'Refund 120 USD on order A-1?' }),
  ]);
  const store = open();
  expect(store.getRun('r1')).toMatchObject({ status: 'waiting', waits: [{ name: 'approval', key: '/approval#0' }] });
  expect(store.getRun('r1')!.waits[0]!.schema).toMatchObject({ type: 'object', required: ['approved'] });
  expect(server.stats().requests).toBe(1);

  expect(signal(store, 'r1', 'approval', { approved: true, note: 'ok' })).toMatchObject({ delivered: 'answered', key: '/approval#0', runStatus: 'waiting' });
  const second = await session(resume(store, 'r1', options()), refund);
  expect(second).toMatchObject({ status: 'done', value: { approval: { approved: true, note: 'ok' } } });
  // the assessment replayed from the journal: only the reply went on the wire
  expect(server.stats().timeline.map((request) => request.prompt.includes('Write the reply'))).toEqual([false, true]);
  expect(server.stats().timeline[1]!.prompt).toContain('approved=true');
  expect(store.getRun('r1')).toMatchObject({ status: 'done', waits: [] });
});

test('a signal that does not fit the schema is refused, changes nothing, and the run still waits', async () => {
  const { open, options } = await setup();
  await session(startRun(open(), { ...options(), runId: 'r1' }), refund);
  const store = open();
  let refusal: unknown;
  try {
    signal(store, 'r1', 'approval', { approved: 'yes' });
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(InvalidSignalError);
  expect(refusal).toBeInstanceOf(InputError);
  expect((refusal as Error).message).toMatch(/expected boolean.*\n?.*approved/s);
  expect(store.getRun('r1')).toMatchObject({ status: 'waiting', waits: [{ name: 'approval' }] });
  const again = await session(resume(store, 'r1', options()), refund);
  expect(again.status).toBe('waiting');
});

test('two runs waiting on the same name each get their own answer', async () => {
  const { open, options } = await setup();
  await session(startRun(open(), { ...options({ order: 'A-1' }), runId: 'first' }), refund);
  await session(startRun(open(), { ...options({ order: 'B-2' }), runId: 'second' }), refund);
  const store = open();
  signal(store, 'second', 'approval', { approved: false });
  signal(store, 'first', 'approval', { approved: true });
  const first = await session(resume(store, 'first', options({ order: 'A-1' })), refund);
  const second = await session(resume(store, 'second', options({ order: 'B-2' })), refund);
  expect(first).toMatchObject({ status: 'done', value: { approval: { approved: true } } });
  expect(second).toMatchObject({ status: 'done', value: { approval: { approved: false } } });
});

test('a wait inside a parallel item stops only that item; on resume the finished items replay', async () => {
  const { server, open, options } = await setup();
  const orders = ['iron', 'cobalt', 'zinc'];
  const body = (run: Run) =>
    run.parallel(orders, async (order, item) => {
      const { fact } = await item.step({ name: 'fact', prompt: `One fact about ${order}`, schema: Fact });
      if (order !== 'cobalt') return fact;
      const { approved } = await item.waitFor('approval', Approval);
      return approved ? fact : 'refused';
    });
  const first = await session(startRun(open(), { ...options(), runId: 'fan' }), body);
  expect(first.status === 'waiting' && first.waits.map((wait) => wait.key)).toEqual(['/item[1]#0/approval#0']);
  // the siblings that do not wait ran to their end
  expect(server.stats().requests).toBe(3);

  const store = open();
  signal(store, 'fan', 'approval', { approved: false });
  const second = await session(resume(store, 'fan', options()), body);
  expect(second.status).toBe('done');
  const results = second.status === 'done' ? second.value : [];
  expect(results.map((result) => result.ok)).toEqual([true, true, true]);
  expect(results[1]).toEqual({ ok: true, value: 'refused' });
  // nothing was called again: every fact replayed from the journal
  expect(server.stats().requests).toBe(3);
});

test('several waits of one name in parallel items are answered one by one by key, never by a guess', async () => {
  const { open, options } = await setup();
  const body = (run: Run) => run.parallel(['a', 'b'], (order, item) => item.waitFor('approval', Approval, { prompt: `order ${order}` }));
  const first = await session(startRun(open(), { ...options(), runId: 'two' }), body);
  expect(first.status === 'waiting' && first.waits.map((wait) => wait.key)).toEqual(['/item[0]#0/approval#0', '/item[1]#0/approval#0']);
  // what the CLI prints for them: one line each, naming the position to answer
  expect(new RunWaitingError(first.status === 'waiting' ? first.waits : []).message.split('\n')).toEqual([
    "run two waits for \"approval\" (order a): braid signal two approval '<json>' --key '/item[0]#0/approval#0'",
    "run two waits for \"approval\" (order b): braid signal two approval '<json>' --key '/item[1]#0/approval#0'",
  ]);
  const store = open();
  expect(() => signal(store, 'two', 'approval', { approved: true })).toThrow(/at 2 places.*\/item\[0\]#0\/approval#0, \/item\[1\]#0\/approval#0/);
  expect(signal(store, 'two', 'approval', { approved: false }, { key: '/item[1]#0/approval#0' })).toMatchObject({ delivered: 'answered' });
  const second = await session(resume(store, 'two', options()), body);
  // the answered item goes on; the other still waits
  expect(second.status === 'waiting' && second.waits.map((wait) => wait.key)).toEqual(['/item[0]#0/approval#0']);
  // now one is pending: the name alone finds it
  signal(store, 'two', 'approval', { approved: true });
  const third = await session(resume(store, 'two', options()), body);
  expect(third.status === 'done' && third.value).toEqual([
    { ok: true, value: { approved: true } },
    { ok: true, value: { approved: false } },
  ]);
});

test('a signal sent before the wait is reached is kept until the wait asks for it', async () => {
  const { server, open, options } = await setup();
  const store = open();
  // the run exists and runs; the signal arrives before it reaches the wait
  const run = startRun(store, { ...options(), runId: 'early' });
  expect(signal(open(), 'early', 'approval', { approved: true })).toMatchObject({ delivered: 'kept', runStatus: 'running' });
  const result = await session(run, refund);
  expect(result).toMatchObject({ status: 'done', value: { approval: { approved: true } } });
  expect(server.stats().requests).toBe(2);
  // that wait took it: another answer of that name is refused rather than kept for a later one
  expect(() => signal(open(), 'early', 'approval', { approved: false })).toThrow(InputError);
});

test('an early answer its wait refuses is dropped with the reason, and the run waits for a good one', async () => {
  const { open, options } = await setup();
  const run = startRun(open(), { ...options(), runId: 'early-bad' });
  signal(open(), 'early-bad', 'approval', { approved: 'sure' });
  const result = await session(run, refund);
  expect(result.status).toBe('waiting');
  expect(open().getRun('early-bad')!.waits[0]!.refusedAnswer).toMatch(/expected boolean/);
});

test('a timeout takes the declared default, and without one fails the wait with a typed error', async () => {
  const { clock, open, options } = await setup();
  const withDefault = (run: Run) => run.waitFor('approval', Approval, { timeoutMs: 60_000, default: { approved: false, note: 'no answer in time' } });
  const withoutDefault = (run: Run) => run.waitFor('approval', Approval, { timeoutMs: 60_000 });

  expect((await session(startRun(open(), { ...options({ n: 1 }), runId: 'defaulted' }), withDefault)).status).toBe('waiting');
  expect((await session(startRun(open(), { ...options({ n: 2 }), runId: 'failing' }), withoutDefault)).status).toBe('waiting');
  expect(open().getRun('defaulted')!.waits[0]!.deadline).toBe('2030-01-01T00:01:00.000Z');

  // a resume before the deadline keeps waiting, and does not restart the clock
  clock.time += 30_000;
  expect((await session(resume(open(), 'defaulted', options({ n: 1 })), withDefault)).status).toBe('waiting');
  clock.time += 30_000;
  expect(await session(resume(open(), 'defaulted', options({ n: 1 })), withDefault)).toEqual({ status: 'done', value: { approved: false, note: 'no answer in time' } });
  const failed = await session(resume(open(), 'failing', options({ n: 2 })), withoutDefault);
  expect(failed.status === 'failed' && failed.error).toBeInstanceOf(WaitTimeoutError);
  // a late answer reaches nothing
  expect(() => signal(open(), 'defaulted', 'approval', { approved: true })).toThrow(/has ended \(done\)/);
});

test('sleep keeps the run waiting until it is due, then goes on', async () => {
  const { server, clock, open, options } = await setup();
  const body = async (run: Run) => {
    await run.step({ name: 'remind', prompt: 'Write a reminder' });
    await run.sleep(3_600_000);
    return run.step({ name: 'follow-up', prompt: 'Write a follow-up' });
  };
  const first = await session(startRun(open(), { ...options(), runId: 'nap' }), body);
  expect(first.status === 'waiting' && first.waits).toEqual([expect.objectContaining({ kind: 'sleep', deadline: '2030-01-01T01:00:00.000Z' })]);
  expect(() => signal(open(), 'nap', 'sleep', {})).toThrow(/is a sleep/);
  clock.time += 3_599_999;
  expect((await session(resume(open(), 'nap', options()), body)).status).toBe('waiting');
  clock.time += 1;
  expect((await session(resume(open(), 'nap', options()), body)).status).toBe('done');
  expect(server.stats().timeline.map((request) => request.prompt.includes('follow-up'))).toEqual([false, true]);
});

test('a runtime without a wait journal refuses to wait instead of stopping a run nothing can resume', async () => {
  const { model } = await setup();
  const braid = createRuntime({ model });
  await expect(braid.waitFor('approval', Approval)).rejects.toThrow(/needs a durable run/);
});

test('a store of schema 2 is migrated to 3: its runs stay, and its runs can wait', async () => {
  const { open, options } = await setup();
  const before = open();
  await session(startRun(before, { ...options(), runId: 'old' }), (run) => run.step({ name: 'assess', prompt: 'Assess the refund of order A-1', schema: Fact }));
  before.close();
  // schema 3 is schema 2 plus the wait tables: without them, and marked 2, the file is what braid wrote before
  const file = join(makeTempDirectory('braid-v2-'), 'runs.db');
  const previous = openRunStore(file);
  previous.close();
  const raw = new (loadSqlite().DatabaseSync)(file);
  raw.exec(`DROP TABLE waits; DROP TABLE early_signals; PRAGMA user_version = 2;
    INSERT INTO runs (id, workflow, status, started_at, model, command_json) VALUES ('kept', 'refund', 'done', 1000, 'openai:x', '[]');`);
  raw.close();

  const migrated = openRunStore(file);
  onTestFinished(() => migrated.close());
  expect(migrated.getRun('kept')).toMatchObject({ status: 'done', waits: [] });
  const result = await session(startRun(migrated, { ...options(), runId: 'new' }), refund);
  expect(result.status).toBe('waiting');
  expect(signal(migrated, 'new', 'approval', { approved: true })).toMatchObject({ delivered: 'answered' });
});

test('a default must have the type the schema gives, and sleep returns nothing', () => {
  const typed = async (run: Run) => {
    // @ts-expect-error: the default is an answer, of the schema's output type
    await run.waitFor('approval', Approval, { default: { approved: 'no' } });
    expectTypeOf(await run.sleep(10)).toEqualTypeOf<void>();
  };
  expectTypeOf(typed).toBeFunction();
});
