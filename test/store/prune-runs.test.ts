import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { summarizeRun } from '../../src/core/run-summary.js';
import type { Span } from '../../src/core/span.js';
import { loadSqlite } from '../../src/store/load-sqlite.js';
import { openRunStore, type RunStore } from '../../src/store/run-store.js';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

function makeTempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'braid-prune-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A run with one journaled step and one span, started and (unless `status` is running) finished at `at`. */
function recordRun(store: RunStore, runId: string, status: 'done' | 'failed' | 'cancelled' | 'running'): void {
  const lease = store.claimRun({ runId, identity: { workflow: 'faq', input: {} }, command: ['faq'], model: 'openai:gpt-4.1-mini' });
  onTestFinished(() => lease.stopRenewing());
  store.journal.write(runId, '/faq#0/questions#0', { value: { questions: ['Why?'] } });
  const span: Span = { id: randomUUID(), runId, kind: 'step', name: 'questions', start: 1, end: 2, status: 'ok' };
  store.recordSpan(span);
  if (status !== 'running') store.finishRun(runId, { status, summary: summarizeRun(runId, [span]) });
}

test('pruneRuns deletes runs finished before the cutoff, with their steps, spans and waits, and keeps the rest', () => {
  let now = NOW - 40 * DAY_MS;
  const file = join(makeTempDirectory(), 'runs.db');
  const store = openRunStore(file, { now: () => now });
  onTestFinished(() => store.close());
  recordRun(store, 'old-done', 'done');
  recordRun(store, 'old-failed', 'failed');
  recordRun(store, 'old-running', 'running'); // interrupted or still going: it may be resumed
  now = NOW - 10 * DAY_MS;
  recordRun(store, 'recent-done', 'done');
  store.journal.write('library-run', '/step#0', { value: 'a journal without a runs row' }); // not the runs table's
  now = NOW;
  // an answer sent early to each of two old runs: the finished one's goes with it
  const raw = new (loadSqlite().DatabaseSync)(file);
  for (const runId of ['old-done', 'old-running']) raw.prepare("INSERT INTO early_signals (run_id, name, value_json, sent_at) VALUES (?, 'approval', 'true', 0)").run(runId);
  const signalsOf = (runId: string) => Number(raw.prepare('SELECT count(*) AS count FROM early_signals WHERE run_id = ?').get(runId)?.count);

  const pruned = store.pruneRuns({ olderThanMs: 30 * DAY_MS });

  expect(pruned).toEqual({ runs: 2, steps: 2, spans: 2, waits: 1 });
  expect([signalsOf('old-done'), signalsOf('old-running')]).toEqual([0, 1]);
  raw.close();
  expect(store.listRuns().map((run) => run.id).sort()).toEqual(['old-running', 'recent-done']);
  expect(store.runSpans('old-done')).toEqual([]);
  expect(store.journal.read('old-done', '/faq#0/questions#0')).toBeUndefined();
  expect(store.journal.read('old-running', '/faq#0/questions#0')).toBeDefined();
  expect(store.journal.read('library-run', '/step#0')).toBeDefined();
  expect(store.runSpans('recent-done')).toHaveLength(1);
});

test('a new store file, its -wal and -shm, and its folder are readable by their owner alone', () => {
  const folder = join(makeTempDirectory(), 'braid');
  const file = join(folder, 'runs.db');
  const store = openRunStore(file);
  onTestFinished(() => store.close());
  recordRun(store, 'r1', 'done'); // writes, so the WAL files exist while it is open

  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    expect(existsSync(path), path).toBe(true);
    expect((statSync(path).mode & 0o777).toString(8), path).toBe('600');
  }
  expect((statSync(folder).mode & 0o777).toString(8)).toBe('700');
});
