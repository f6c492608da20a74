import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished, test, vi } from 'vitest';
import { createRuntime, openRunStore, resume, startRun, ChangedStepError } from '../../src/index.js';
import { startFakeProvider, type FakeProvider, type FakeRule } from '../fake-provider/index.js';
import { makeTempDirectory } from '../support/run-cli.js';
import { modelOn, QUICK_RETRY } from '../support/wire-models.js';
import { z } from 'zod';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('fixtures/two-items-run.ts', import.meta.url));

/** Answers that name their prompt, each after its own (seeded) latency: a key mix-up shows in the output. */
function factRules(hangOn?: RegExp): FakeRule[] {
  const latency: Record<string, number> = { 'first fact about iron': 90, 'first fact about zinc': 10, 'second fact about iron': 20, 'second fact about zinc': 70 };
  return [
    ...(hangOn ? [{ match: hangOn, fault: 'hang' as const }] : []),
    ...Object.entries(latency).map(([prompt, delayMs]) => ({ match: prompt, json: { fact: `answer to ${prompt}` }, delayMs })),
  ];
}

async function fake(rules: FakeRule[]): Promise<FakeProvider> {
  const server = await startFakeProvider({ seed: 11, rules });
  onTestFinished(() => server.close());
  return server;
}

function startChild(args: string[]) {
  const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', CHILD, ...args], { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, output: async () => { const [code] = await exited; return { code, stdout, stderr }; } };
}

for (const shape of ['bare', 'wrapped'] as const) {
  test(`two items × two steps, killed with SIGKILL mid-run and resumed (${shape}): each item's output is an uninterrupted run's, and only the owed calls are made`, async () => {
    const directory = makeTempDirectory();
    const reference = await fake(factRules());
    const uninterrupted = await startChild([join(directory, 'reference.db'), 'reference', reference.openaiBaseURL, shape, 'start']).output();
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);

    // item 0's second step hangs: by then item 1 is done and item 0's first step journaled
    const server = await fake(factRules(/second fact about iron/));
    const store = join(directory, 'runs.db');
    const killed = startChild([store, 'crash', server.openaiBaseURL, shape, 'start']);
    const watcher = openRunStore(store);
    onTestFinished(() => watcher.close());
    await vi.waitFor(
      () => {
        expect(watcher.getRun('crash')?.stepsDone).toBe(3);
        expect(server.stats().timeline.some((request) => request.prompt.includes('second fact about iron'))).toBe(true);
      },
      { timeout: 20_000, interval: 20 },
    );
    killed.child.kill('SIGKILL');
    await killed.exited;

    server.configure({ rules: factRules() });
    const before = server.stats().requests;
    const resumed = await startChild([store, 'crash', server.openaiBaseURL, shape, 'resume']).output();
    expect(resumed.code, resumed.stderr).toBe(0);
    // byte for byte: each item has its own answers, not its sibling's
    expect(JSON.parse(resumed.stdout).results).toEqual(JSON.parse(uninterrupted.stdout).results);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ replayedSteps: 3, calls: 1 });
    const owed = server.stats().timeline.slice(before);
    expect(owed.map((request) => request.prompt)).toEqual([expect.stringContaining('second fact about iron')]);
  });
}

test('a resume after one prompt changed re-runs exactly the steps that used it, and says how many', async () => {
  const directory = makeTempDirectory();
  const server = await fake(factRules());
  const store = join(directory, 'runs.db');
  const first = await startChild([store, 'versioned', server.openaiBaseURL, 'bare', 'start', '1']).output();
  expect(first.code, first.stderr).toBe(0);

  const before = server.stats().requests;
  const changed = await startChild([store, 'versioned', server.openaiBaseURL, 'bare', 'resume', '2']).output();
  expect(changed.code, changed.stderr).toBe(0);
  // the two `second` steps use the changed prompt; the two `first` steps replay
  expect(JSON.parse(changed.stdout)).toMatchObject({ replayedSteps: 2, rerunSteps: 2, calls: 2 });
  expect(server.stats().timeline.slice(before).map((request) => request.prompt).every((prompt) => prompt.includes(', v2,'))).toBe(true);
});

test('strictResume makes a changed step an error naming it, before it calls the model', async () => {
  const directory = makeTempDirectory();
  const server = await fake([]);
  const store = openRunStore(join(directory, 'runs.db'));
  onTestFinished(() => store.close());
  const Fact = z.object({ fact: z.string().max(100) });
  const options = { model: modelOn('openai', server), workflow: 'strict', retry: QUICK_RETRY };
  const first = startRun(store, { ...options, runId: 'strict' });
  await first.step({ name: 'fact', prompt: 'version one', schema: Fact });
  first.finish();

  const again = resume(store, 'strict', { ...options, strictResume: true });
  const changed = again.step({ name: 'fact', prompt: 'version two', schema: Fact });
  await expect(changed).rejects.toThrow(ChangedStepError);
  await expect(changed).rejects.toThrow(/step \/fact#0 changed since it was journaled/);
  again.finish('error');
  expect(server.stats().requests).toBe(1);
});

test('an effect replays on resume; the same effect with another input is refused, not run again', async () => {
  const directory = makeTempDirectory();
  const server = await fake([]);
  const store = openRunStore(join(directory, 'runs.db'));
  onTestFinished(() => store.close());
  const options = { model: modelOn('openai', server), workflow: 'effects' };
  let writes = 0;
  const write = ({ idempotencyKey }: { idempotencyKey: string }) => ({ row: (writes += 1), idempotencyKey });

  const first = startRun(store, { ...options, runId: 'effects' });
  const written = await first.effect('insert', write, { input: { order: 'A-1' } });
  first.finish();
  const again = resume(store, 'effects', options);
  await expect(again.effect('insert', write, { input: { order: 'A-1' } })).resolves.toEqual(written);
  expect(writes).toBe(1);
  again.finish();

  const changed = resume(store, 'effects', options);
  await expect(changed.effect('insert', write, { input: { order: 'B-2' } })).rejects.toThrow(/effect \/insert#0 already ran in this run with another input/);
  changed.finish('error');
  expect(writes).toBe(1);
});

test('the same workflow in memory, without a store, still keys each item by its position', async () => {
  const server = await fake(factRules());
  const braid = createRuntime({ model: modelOn('openai', server), retry: QUICK_RETRY });
  const Fact = z.object({ fact: z.string().max(200) });
  await braid.parallel(['iron', 'zinc'], async (metal, item) => {
    await item.step({ name: 'first', prompt: `first fact about ${metal}`, schema: Fact });
    await item.step({ name: 'second', prompt: `second fact about ${metal}`, schema: Fact });
  });
  const keyOf = Object.fromEntries(braid.spans().filter((span) => span.kind === 'step').map((span) => [span.prompt, span.key]));
  expect(keyOf).toEqual({
    'first fact about iron': '/item[0]#0/first#0',
    'second fact about iron': '/item[0]#0/second#0',
    'first fact about zinc': '/item[1]#0/first#0',
    'second fact about zinc': '/item[1]#0/second#0',
  });
});
