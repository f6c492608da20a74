import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { summarizeRun } from '../../src/core/run-summary.js';
import { openRunStore } from '../../src/store/run-store.js';
import { makeTempDirectory, runCli } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const fake = useSharedFakeProvider();

const DAY_MS = 86_400_000;

test('a file that is not a run store: one line naming it, exit code 2, no stack, for every command that opens the store', async () => {
  const directory = makeTempDirectory();
  const garbage = join(directory, 'garbage.db');
  writeFileSync(garbage, randomBytes(4096));

  const runs = await Promise.all([
    runCli(['runs', '--store', garbage]),
    runCli(['runs', 'some-id', '--store', garbage]),
    runCli(['resume', 'some-id', '--store', garbage]),
    runCli(['view', '--no-open', '--store', garbage]),
    runCli(['faq', '--store', garbage, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV }),
  ]);

  for (const result of runs) {
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(`braid: ${garbage} is not a braid run store\n`);
    expect(result.stdout).toBe('');
  }
  expect(fake.server.stats().requests).toBe(0);
});

test('the store and the trace a run writes are readable by their owner alone', async () => {
  const directory = makeTempDirectory();
  const store = join(directory, 'runs.db');
  const trace = join(directory, 'trace.jsonl');

  const result = await runCli(['faq', '--questions', '1', '--store', store, '--trace', trace, ...fake.openaiArgs()], { env: OPENAI_TEST_ENV });

  expect(result.code, result.stderr).toBe(0);
  expect((statSync(store).mode & 0o777).toString(8)).toBe('600');
  expect((statSync(trace).mode & 0o777).toString(8)).toBe('600');
});

test('braid runs --prune --older-than 30d deletes the runs finished more than 30 days ago', async () => {
  const file = join(makeTempDirectory(), 'runs.db');
  let now = Date.now() - 40 * DAY_MS;
  const store = openRunStore(file, { now: () => now });
  onTestFinished(() => store.close());
  for (const [runId, age] of [['forty-days', 40], ['ten-days', 10]] as const) {
    now = Date.now() - age * DAY_MS;
    store.claimRun({ runId, identity: { workflow: 'faq', input: {} }, command: ['faq'], model: 'openai:gpt-4.1-mini' }).stopRenewing();
    store.journal.write(runId, '/faq#0/questions#0', { value: { questions: ['Why?'] } });
    store.finishRun(runId, { status: 'done', summary: summarizeRun(runId, []) });
  }
  store.close();

  const pruned = await runCli(['runs', '--prune', '--older-than', '30d', '--store', file]);
  const listed = await runCli(['runs', '--json', '--store', file]);

  expect(pruned.code, pruned.stderr).toBe(0);
  expect(pruned.stdout).toBe('pruned 1 runs (1 steps, 0 spans, 0 waits)\n');
  expect((JSON.parse(listed.stdout) as { id: string }[]).map((run) => run.id)).toEqual(['ten-days']);
});

test('--prune without --older-than, or with a bad age: one line, exit code 2', async () => {
  const file = join(makeTempDirectory(), 'runs.db');
  const runs = await Promise.all([runCli(['runs', '--prune', '--store', file]), runCli(['runs', '--prune', '--older-than', 'soon', '--store', file])]);

  expect(runs.map((result) => result.code)).toEqual([2, 2]);
  expect(runs[0]!.stderr).toBe('braid: --prune takes --older-than AGE (e.g. 30d) and no run id\n');
  expect(runs[1]!.stderr).toMatch(/expected an age such as 30d/);
});
