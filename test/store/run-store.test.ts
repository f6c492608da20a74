import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished, test } from 'vitest';
import { summarizeRun } from '../../src/core/run-summary.js';
import type { Span } from '../../src/core/span.js';
import { openRunStore, type RunStore, type RunStoreOptions } from '../../src/store/run-store.js';
import { InputError, RunBusyError, RunIdentityError } from '../../src/core/errors.js';
import { loadSqlite } from '../../src/store/load-sqlite.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('fixtures/write-journal-then-wait.ts', import.meta.url));
const HOUR_MS = 3_600_000;

function makeTempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'braid-store-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

function openStore(file: string, options: RunStoreOptions = {}): RunStore {
  const store = openRunStore(file, options);
  onTestFinished(() => store.close());
  return store;
}

/** A clock the test moves by hand. */
function makeClock(start: number): { now: () => number; set(time: number): void } {
  let time = start;
  return { now: () => time, set: (next) => (time = next) };
}

function attemptSpan(runId: string, fields: Partial<Span> = {}): Span {
  return { id: randomUUID(), runId, kind: 'attempt', name: 'answer', start: 1_000, end: 2_000, status: 'ok', ...fields };
}

function startFaqRun(store: RunStore, runId: string, stepsTotal?: number, input: Record<string, unknown> = { documents: 'docs/' }): void {
  const lease = store.claimRun({ runId, identity: { workflow: 'faq', input }, command: ['braid', 'faq', 'docs/', '--run-id', runId], model: 'openai:gpt-4o-mini', stepsTotal });
  onTestFinished(() => lease.stopRenewing());
}

test('the journal reads back what was written, and a second write replaces the first', () => {
  const store = openStore(':memory:');
  expect(store.journal.read('run-1', '/faq#0/questions#0')).toBeUndefined();

  store.journal.write('run-1', '/faq#0/questions#0', { value: { questions: ['Why?', 'How?'] }, inputHash: 'h1' });
  store.journal.write('run-1', '/faq#0/summary#0', { value: null });
  expect(store.journal.read('run-1', '/faq#0/questions#0')).toEqual({ value: { questions: ['Why?', 'How?'] }, inputHash: 'h1' });
  // a journaled null is a hit, not a miss
  expect(store.journal.read('run-1', '/faq#0/summary#0')).toEqual({ value: null });

  store.journal.write('run-1', '/faq#0/questions#0', { value: 'replaced', inputHash: 'h2' });
  expect(store.journal.read('run-1', '/faq#0/questions#0')).toEqual({ value: 'replaced', inputHash: 'h2' });
  expect(store.journal.read('run-2', '/faq#0/questions#0')).toBeUndefined();
});

test('journal entries survive closing and reopening the file, whose folder is created', () => {
  const file = join(makeTempDirectory(), 'nested', 'braid', 'runs.db');
  const first = openRunStore(file);
  first.journal.write('run-1', '/faq#0/answer[0]#0', { value: { answer: 'forty-two' } });
  first.close();
  first.close(); // a second close does nothing

  const second = openStore(file);
  expect(second.journal.read('run-1', '/faq#0/answer[0]#0')).toEqual({ value: { answer: 'forty-two' } });
});

test('every journal write survives the process being SIGKILLed, and the run then shows as interrupted', async () => {
  const file = join(makeTempDirectory(), 'runs.db');
  const count = 25;
  const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', CHILD_SCRIPT, file, 'killed-run', String(count)], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready: ${stderr}`)));
  });
  await ready;

  child.kill('SIGKILL');
  const [, signal] = await exited;
  expect(signal).toBe('SIGKILL');

  const store = openStore(file);
  for (let index = 0; index < count; index += 1) {
    expect(store.journal.read('killed-run', `/faq#0/answer[${index}]#0`)).toEqual({ value: { index, answer: `answer ${index}` }, inputHash: 'h' });
  }
  expect(store.getRun('killed-run')).toMatchObject({
    status: 'interrupted',
    stepsDone: count,
    stepsTotal: count * 2,
    command: ['braid', 'faq', '--run-id', 'killed-run'],
  });
  expect(store.getRun('killed-run')?.finishedAt).toBeUndefined();
});

test('the response cache ignores and deletes entries older than its ttl', () => {
  const clock = makeClock(1_000_000);
  const store = openStore(':memory:', { now: clock.now });
  const cache = store.responseCache({ ttlMs: HOUR_MS });
  expect(cache.read('hash-a')).toBeUndefined();

  cache.write('hash-a', { answer: 'cached' });
  clock.set(1_000_000 + HOUR_MS);
  expect(cache.read('hash-a')).toEqual({ value: { answer: 'cached' } });

  clock.set(1_000_000 + HOUR_MS + 1);
  expect(cache.read('hash-a')).toBeUndefined();
  // deleted, not just hidden: even a cache with no ttl no longer finds it
  expect(store.responseCache().read('hash-a')).toBeUndefined();

  cache.write('hash-a', 'fresh');
  expect(cache.read('hash-a')).toEqual({ value: 'fresh' });
});

test('opening a response cache deletes the entries already expired and keeps the rest', () => {
  const file = join(makeTempDirectory(), 'runs.db');
  const clock = makeClock(0);
  const store = openStore(file, { now: clock.now });
  const writer = store.responseCache();
  writer.write('old', 1);
  clock.set(2 * HOUR_MS);
  writer.write('new', 2);

  clock.set(2 * HOUR_MS + 10);
  store.responseCache({ ttlMs: HOUR_MS });
  const raw = new (loadSqlite().DatabaseSync)(file);
  onTestFinished(() => raw.close());
  expect(raw.prepare('SELECT hash FROM cache ORDER BY hash').all().map((row) => row.hash)).toEqual(['new']);
});

test('runs are listed newest first with steps done and total, tokens and cost from the summary', () => {
  const clock = makeClock(Date.parse('2025-06-01T10:00:00.000Z'));
  const store = openStore(':memory:', { now: clock.now });

  startFaqRun(store, 'oldest', 3);
  const spans = [
    attemptSpan('oldest', { inputTokens: 1_000, outputTokens: 200, costUsd: 0.25 }),
    attemptSpan('oldest', { inputTokens: 500, outputTokens: 100, costUsd: 0.125 }),
  ];
  for (const span of spans) store.recordSpan(span);
  store.journal.write('oldest', '/faq#0/a#0', { value: 'a' });
  store.journal.write('oldest', '/faq#0/b#0', { value: 'b' });
  store.journal.write('another-run', '/faq#0/a#0', { value: 'not counted' });
  clock.set(Date.parse('2025-06-01T10:05:00.000Z'));
  store.finishRun('oldest', { status: 'done', summary: summarizeRun('oldest', spans) });

  clock.set(Date.parse('2025-06-01T11:00:00.000Z'));
  startFaqRun(store, 'middle');
  store.setStepsTotal('middle', 7);
  store.finishRun('middle', { status: 'failed', summary: summarizeRun('middle', []) });
  clock.set(Date.parse('2025-06-01T12:00:00.000Z'));
  startFaqRun(store, 'newest');

  expect(store.listRuns().map((run) => [run.id, run.status])).toEqual([
    ['newest', 'running'], // this process is alive
    ['middle', 'failed'],
    ['oldest', 'done'],
  ]);
  expect(store.listRuns({ limit: 2 }).map((run) => run.id)).toEqual(['newest', 'middle']);
  expect(store.getRun('oldest')).toEqual({
    id: 'oldest',
    workflow: 'faq',
    status: 'done',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:05:00.000Z',
    stepsDone: 2,
    stepsTotal: 3,
    inputTokens: 1_500,
    outputTokens: 300,
    costUsd: 0.375,
    model: 'openai:gpt-4o-mini',
    command: ['braid', 'faq', 'docs/', '--run-id', 'oldest'],
    waits: [],
  });
  expect(store.getRun('middle')).toMatchObject({ stepsDone: 0, stepsTotal: 7, inputTokens: 0, costUsd: 0 });
  expect(store.getRun('missing')).toBeUndefined();
});

test('a running run shows what it has spent so far', () => {
  const store = openStore(':memory:');
  startFaqRun(store, 'live');
  store.recordSpan(attemptSpan('live', { inputTokens: 40, outputTokens: 4, costUsd: 0.5 }));
  store.recordSpan({ ...attemptSpan('live', { inputTokens: 999 }), kind: 'step' }); // a step repeats its attempts' tokens
  expect(store.getRun('live')).toMatchObject({ status: 'running', inputTokens: 40, outputTokens: 4, costUsd: 0.5 });
});

test('resuming a run keeps its start time and adds the new session to what the earlier one spent', () => {
  const clock = makeClock(Date.parse('2025-06-01T10:00:00.000Z'));
  const store = openStore(':memory:', { now: clock.now });
  startFaqRun(store, 'resumed', 4);
  const firstSession = [attemptSpan('resumed', { inputTokens: 100, outputTokens: 10, costUsd: 0.5 })];
  store.recordSpan(firstSession[0]!);
  clock.set(Date.parse('2025-06-01T10:01:00.000Z'));
  store.finishRun('resumed', { status: 'cancelled', summary: summarizeRun('resumed', firstSession) });

  clock.set(Date.parse('2025-06-01T11:00:00.000Z'));
  startFaqRun(store, 'resumed');
  expect(store.getRun('resumed')).toMatchObject({ status: 'running', startedAt: '2025-06-01T10:00:00.000Z', finishedAt: undefined, stepsTotal: 4 });

  const secondSession = [attemptSpan('resumed', { inputTokens: 30, outputTokens: 3, costUsd: 0.25 })];
  store.recordSpan(secondSession[0]!);
  clock.set(Date.parse('2025-06-01T11:02:00.000Z'));
  store.finishRun('resumed', { status: 'done', summary: summarizeRun('resumed', secondSession) });
  expect(store.getRun('resumed')).toMatchObject({
    status: 'done',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T11:02:00.000Z',
    inputTokens: 130,
    outputTokens: 13,
    costUsd: 0.75,
  });
  expect(store.listRuns()).toHaveLength(1);
});

test("a run's spans read back in the order they ended, across sessions, and only its own", () => {
  const file = join(makeTempDirectory(), 'runs.db');
  const root: Span = { id: 'root', runId: 'run-1', kind: 'run', name: 'faq', start: 1, end: 90, status: 'error', error: 'killed' };
  const step: Span = {
    id: 'step',
    parentId: 'root',
    runId: 'run-1',
    kind: 'step',
    name: 'answer',
    model: 'openai:test',
    start: 5,
    end: 50,
    status: 'ok',
    attempts: 2,
    prompt: 'Why?',
    output: '{"answer":"because"}',
  };
  const first = openRunStore(file);
  startFaqRun(first, 'run-1');
  first.recordSpan(step);
  first.recordSpan(attemptSpan('run-2'));
  first.recordSpan(root);
  first.close();

  const second = openStore(file);
  // a resumed session: its replayed step is already in the trace, and its root keeps its id and replaces the first one
  second.recordSpan({ ...step, replayed: 'journal', attempts: 0 });
  const resumedRoot: Span = { ...root, end: 120, status: 'ok', error: undefined };
  second.recordSpan(resumedRoot);
  expect(second.runSpans('run-1')).toEqual([step, JSON.parse(JSON.stringify(resumedRoot))]);
  expect(second.runSpans('nobody')).toEqual([]);
});

test('a file that is not a database, or from a newer braid, is refused with an InputError', () => {
  const directory = makeTempDirectory();
  const notADatabase = join(directory, 'notes.db');
  writeFileSync(notADatabase, 'these are not the tables you are looking for '.repeat(40));
  expect(() => openRunStore(notADatabase)).toThrow(InputError);

  const blockedFolder = join(directory, 'a-file');
  writeFileSync(blockedFolder, '');
  expect(() => openRunStore(join(blockedFolder, 'runs.db'))).toThrow(InputError);

  const newer = join(directory, 'newer.db');
  const raw = new (loadSqlite().DatabaseSync)(newer);
  raw.exec('PRAGMA user_version = 99');
  raw.close();
  expect(() => openRunStore(newer)).toThrow(/schema version 99, newer than this braid understands/);
});

test('a run id reused by another workflow or with other inputs is refused, naming what differs', () => {
  const store = openStore(':memory:');
  startFaqRun(store, 'nightly', undefined, { documents: [{ title: 'Birds', text: 'European birds' }], questions: 3 });
  store.finishRun('nightly', { status: 'done', summary: summarizeRun('nightly', []) });

  const claim = (workflow: string, input: Record<string, unknown>) => () =>
    store.claimRun({ runId: 'nightly', identity: { workflow, input }, command: [], model: 'openai:test' });
  expect(claim('route', { query: 'hello' })).toThrow(RunIdentityError);
  expect(claim('route', { query: 'hello' })).toThrow(/workflow "faq" \(this is "route"\)/);
  expect(claim('faq', { documents: [{ title: 'Solar', text: 'solar electricity' }], questions: 3 })).toThrow(/was started with other documents; a run id names one run/);
  expect(claim('faq', { documents: [{ title: 'Birds', text: 'European birds' }], questions: 5 })).toThrow(/questions 3 \(this is 5\)/);
  // the same inputs take the run up again
  const lease = claim('faq', { documents: [{ title: 'Birds', text: 'European birds' }], questions: 3 })();
  lease.stopRenewing();
  expect(store.getRun('nightly')?.status).toBe('running');
});

test('a run another live process holds cannot be claimed; once its lease lapses it can', () => {
  const clock = makeClock(1_000_000);
  const store = openStore(':memory:', { now: clock.now });
  const first = store.claimRun({ runId: 'busy', identity: { workflow: 'faq', input: {} }, command: [], model: 'openai:test', leaseMs: 30_000 });
  onTestFinished(() => first.stopRenewing());
  const second = () => store.claimRun({ runId: 'busy', identity: { workflow: 'faq', input: {} }, command: [], model: 'openai:test' });
  // this process is alive and its lease fresh: a second claim is refused
  expect(second).toThrow(RunBusyError);
  expect(store.getRun('busy')?.status).toBe('running');
  // the holder stopped renewing (hung, or on a host whose pid we cannot check): after the lease it is interrupted
  first.stopRenewing();
  clock.set(1_000_000 + 30_001);
  expect(store.getRun('busy')?.status).toBe('interrupted');
  second().stopRenewing();
});

test('a resume of a run the store does not have is an InputError', () => {
  const store = openStore(':memory:');
  expect(() => store.claimRun({ runId: 'ghost', identity: { workflow: 'faq', input: {} }, command: [], model: 'm', mustExist: true })).toThrow(/no run ghost/);
});

test('a store written by the previous braid (schema 1) is migrated, keeping its runs, journal and spans', () => {
  const file = join(makeTempDirectory(), 'runs.db');
  const raw = new (loadSqlite().DatabaseSync)(file);
  raw.exec(`
    CREATE TABLE runs (id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
      pid INTEGER, started_at INTEGER NOT NULL, finished_at INTEGER, steps_total INTEGER, input_tokens INTEGER NOT NULL DEFAULT 0,
      output_tokens INTEGER NOT NULL DEFAULT 0, cost_usd REAL NOT NULL DEFAULT 0, prior_input_tokens INTEGER NOT NULL DEFAULT 0,
      prior_output_tokens INTEGER NOT NULL DEFAULT 0, prior_cost_usd REAL NOT NULL DEFAULT 0, model TEXT NOT NULL, command_json TEXT NOT NULL);
    CREATE INDEX runs_by_start ON runs (started_at);
    CREATE TABLE steps (run_id TEXT NOT NULL, key TEXT NOT NULL, value_json TEXT NOT NULL, written_at INTEGER NOT NULL, PRIMARY KEY (run_id, key));
    CREATE TABLE cache (hash TEXT PRIMARY KEY, value_json TEXT NOT NULL, written_at INTEGER NOT NULL);
    CREATE INDEX cache_by_age ON cache (written_at);
    CREATE TABLE spans (sequence INTEGER PRIMARY KEY, run_id TEXT NOT NULL, span_json TEXT NOT NULL);
    CREATE INDEX spans_by_run ON spans (run_id);
    INSERT INTO runs (id, workflow, status, started_at, finished_at, model, command_json) VALUES ('old', 'faq', 'done', 1000, 2000, 'openai:x', '["faq"]');
    INSERT INTO steps VALUES ('old', '/faq#0/questions#0', '{"questions":["Q?"]}', 1500);
    INSERT INTO spans (run_id, span_json) VALUES ('old', '{"id":"s","runId":"old","kind":"run","name":"faq","start":1000,"end":2000,"status":"ok"}');
    PRAGMA user_version = 1;`);
  raw.close();

  const store = openStore(file);
  expect(store.getRun('old')).toMatchObject({ id: 'old', workflow: 'faq', status: 'done', stepsDone: 1 });
  // an entry from before input hashes has none: a resume runs that step again rather than trust it
  expect(store.journal.read('old', '/faq#0/questions#0')).toEqual({ value: { questions: ['Q?'] } });
  expect(store.runSpans('old')).toHaveLength(1);
  // a run from before identities takes up its first identity
  store.claimRun({ runId: 'old', identity: { workflow: 'faq', input: { documents: 'x' } }, command: [], model: 'm' }).stopRenewing();
  expect(store.getRun('old')?.status).toBe('running');
});
