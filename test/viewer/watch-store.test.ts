import { join } from 'node:path';
import { expect, onTestFinished, test, vi } from 'vitest';
import { createModel, openRunStore, startRun } from '../../src/index.js';
import type { RunRow } from '../../src/store/runs-table.js';
import { createStoreWatcher, type RunUpdate } from '../../src/viewer/watch-store.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory } from '../support/run-cli.js';

/** The machine is shared and loaded: give what is polled time to show up. */
const EVENTUALLY = { timeout: 10_000 };

async function setUp() {
  const server = await startFakeProvider();
  onTestFinished(() => server.close());
  const storeFile = join(makeTempDirectory('braid-watch-'), 'runs.db');
  const writer = openRunStore(storeFile); // the run's process
  const reader = openRunStore(storeFile); // the console's
  const watcher = createStoreWatcher(reader, { pollMs: 20, runUpdateMs: 0 });
  onTestFinished(() => {
    watcher.close();
    reader.close();
    writer.close();
  });
  const model = createModel('openai:gpt-4o-mini', { baseURL: server.openaiBaseURL, env: { OPENAI_API_KEY: 'sk-test' } });
  return { writer, watcher, model };
}

test('the runs list is handed on when a run starts and when it ends', async () => {
  const { writer, watcher, model } = await setUp();
  const lists: RunRow[][] = [];
  const stop = watcher.watchRuns((runs) => lists.push(runs));
  onTestFinished(stop);
  expect(lists).toEqual([[]]);

  const runtime = startRun(writer, { model, workflow: 'facts', runId: 'listed' });
  await vi.waitFor(() => expect(lists.at(-1)?.map((run) => [run.id, run.status])).toEqual([['listed', 'running']]), EVENTUALLY);
  await runtime.step({ name: 'fact', prompt: 'One fact about iron' });
  runtime.finish();
  await vi.waitFor(() => expect(lists.at(-1)?.map((run) => [run.id, run.status])).toEqual([['listed', 'done']]), EVENTUALLY);
  // only changes are handed on: each list differs from the one before
  for (let index = 1; index < lists.length; index += 1) expect(lists[index]).not.toEqual(lists[index - 1]);
});

test("a run's new spans are handed on as they are recorded, and its whole trace again when its status changes", async () => {
  const { writer, watcher, model } = await setUp();
  const runtime = startRun(writer, { model, workflow: 'facts', runId: 'followed' });
  const updates: RunUpdate[] = [];
  const stop = watcher.watchRun('followed', (update) => updates.push(update));
  onTestFinished(stop);
  expect(updates).toHaveLength(1);
  expect(updates[0]).toMatchObject({ reset: true, run: { status: 'running' }, spans: [] });

  const stepNames = (update: RunUpdate | undefined) => update?.spans.filter((span) => span.kind === 'step').map((span) => span.name);
  await runtime.step({ name: 'first', prompt: 'One fact about iron' });
  await vi.waitFor(() => expect(stepNames(updates.at(-1))).toEqual(['first']), EVENTUALLY);
  expect(updates.at(-1)?.reset).toBe(false);

  await runtime.step({ name: 'second', prompt: 'One fact about cobalt' });
  // only what is new: the first step is not sent again
  await vi.waitFor(() => expect(stepNames(updates.at(-1))).toEqual(['second']), EVENTUALLY);
  expect(updates.at(-1)).toMatchObject({ reset: false, summary: { steps: 2, calls: 2 } });

  runtime.finish();
  await vi.waitFor(() => expect(updates.at(-1)).toMatchObject({ reset: true, run: { status: 'done' } }), EVENTUALLY);
  expect(stepNames(updates.at(-1))).toEqual(['first', 'second']);
  expect(updates.at(-1)?.criticalPath.ids.length).toBe(4); // two steps in sequence, each with its attempt
});
