import { join } from 'node:path';
import { expect, test, vi } from 'vitest';
import { openRunStore, type RunRow } from '../../src/index.js';
import { REPOSITORY_ROOT, makeTempDirectory, runCli, stderrLines } from '../support/run-cli.js';
import { OPENAI_TEST_ENV, useSharedFakeProvider } from '../support/shared-fake-provider.js';

const shared = useSharedFakeProvider();
const WORKFLOWS = join(REPOSITORY_ROOT, 'test', 'fixtures', 'waiting-workflows.ts');

function environment() {
  return { ...OPENAI_TEST_ENV, BRAID_HOME: makeTempDirectory('braid-waits-home-') };
}

function runArgs(runId: string, input: unknown, extra: string[] = []): string[] {
  return ['run', WORKFLOWS, JSON.stringify(input), '--run-id', runId, ...shared.openaiArgs(), ...extra];
}

interface ListedRun {
  id: string;
  status: string;
  waits: { name: string; key: string; kind: string; prompt?: string; schema?: unknown; deadline?: string }[];
}

/** `braid runs --json`, as a child process. */
async function listRuns(env: Record<string, string>): Promise<ListedRun[]> {
  const listed = await runCli(['runs', '--json'], { env });
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as ListedRun[];
}

/** The run as the store holds it, read in this process (children are slow to start). */
function storedRun(env: { BRAID_HOME: string }, runId: string): RunRow | undefined {
  const store = openRunStore(join(env.BRAID_HOME, 'runs.db'));
  try {
    return store.getRun(runId);
  } finally {
    store.close();
  }
}

const prompts = () => shared.server.stats().timeline.map((request) => request.prompt);

test('a run that waits exits 0 saying how to answer; a signal from another process resumes it without calling anything before the wait again', async () => {
  const env = environment();
  const waiting = await runCli(runArgs('refund-1', { order: 'A-1' }), { env });
  expect(waiting.code).toBe(0);
  expect(waiting.stdout).toBe('');
  expect(stderrLines(waiting)).toEqual([`braid: run refund-1 waits for "approval" (Refund order A-1?): braid signal refund-1 approval '<json>'`]);
  expect(prompts()).toEqual([expect.stringContaining('Assess the refund of order A-1')]);

  const [run] = await listRuns(env);
  expect(run).toMatchObject({ id: 'refund-1', status: 'waiting', waits: [{ name: 'approval', key: '/refund#0/approval#0', kind: 'signal', prompt: 'Refund order A-1?' }] });
  expect(run!.waits[0]!.schema).toMatchObject({ type: 'object', properties: { approved: { type: 'boolean' } } });
  const table = await runCli(['runs'], { env });
  expect(table.stdout).toMatch(/refund-1\s+refund\s+waiting/);
  expect(table.stdout).toContain(`  run refund-1 waits for "approval" (Refund order A-1?): braid signal refund-1 approval '<json>'`);

  const answered = await runCli(['signal', 'refund-1', 'approval', '{"approved": true}'], { env });
  expect(answered.code).toBe(0);
  expect(JSON.parse(answered.stdout)).toMatchObject({ order: 'A-1', approved: true });
  // the assessment replayed from the journal: the only new call is the reply, which saw the answer
  expect(prompts()).toHaveLength(2);
  expect(prompts()[1]).toContain('Write the reply for order A-1: approved=true');
  expect(storedRun(env, 'refund-1')).toMatchObject({ status: 'done', waits: [] });
});

test('a signal that does not fit the schema is refused with the reason, exit 2, and the run still waits', async () => {
  const env = environment();
  expect((await runCli(runArgs('refund-2', { order: 'B-2' }), { env })).code).toBe(0);
  const refused = await runCli(['signal', 'refund-2', 'approval', '{"approved": "yes"}'], { env });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/does not fit what run refund-2 waits for at \/refund#0\/approval#0; nothing was changed/);
  expect(refused.stderr).toMatch(/expected boolean, received string\s+→ at approved/);
  const notJson = await runCli(['signal', 'refund-2', 'approval', '{approved: true}'], { env });
  expect(notJson.code).toBe(2);
  expect(notJson.stderr).toMatch(/the answer is not JSON/);
  expect(storedRun(env, 'refund-2')).toMatchObject({ status: 'waiting', waits: [{ name: 'approval' }] });
  expect(prompts()).toHaveLength(1);
});

test('two runs waiting on the same name each get their own answer', async () => {
  const env = environment();
  expect((await runCli(runArgs('first', { order: 'A-1' }), { env })).code).toBe(0);
  expect((await runCli(runArgs('second', { order: 'B-2' }), { env })).code).toBe(0);
  const second = await runCli(['signal', 'second', 'approval', '{"approved": false}'], { env });
  const first = await runCli(['signal', 'first', 'approval', '{"approved": true}'], { env });
  expect(JSON.parse(first.stdout)).toMatchObject({ order: 'A-1', approved: true });
  expect(JSON.parse(second.stdout)).toMatchObject({ order: 'B-2', approved: false });
  const replies = prompts().filter((prompt) => prompt.includes('Write the reply'));
  expect(replies.sort()).toEqual([expect.stringContaining('order A-1: approved=true'), expect.stringContaining('order B-2: approved=false')]);
});

test('a wait inside a parallel item stops only that item; the signal resumes it and the finished siblings are not called again', async () => {
  const env = environment();
  const waiting = await runCli(runArgs('fan', { metals: ['iron', 'cobalt', 'zinc'] }, ['--export', 'fanOut']), { env });
  expect(waiting.code).toBe(0);
  expect(stderrLines(waiting)).toEqual([expect.stringContaining('run fan waits for "approval" (Publish the fact about cobalt?)')]);
  // the siblings ran to their end while the second item waited
  expect(prompts().sort()).toEqual([expect.stringContaining('cobalt'), expect.stringContaining('iron'), expect.stringContaining('zinc')]);
  expect(storedRun(env, 'fan')!.waits.map((wait) => wait.key)).toEqual(['/fan-out#0/item[1]#0/approval#0']);

  const answered = await runCli(['signal', 'fan', 'approval', '{"approved": false}'], { env });
  expect(answered.code).toBe(0);
  const output = JSON.parse(answered.stdout) as string[];
  expect(output).toHaveLength(3);
  expect(output[1]).toBe('cobalt: withheld');
  expect(output[0]).toMatch(/^iron: /);
  expect(prompts()).toHaveLength(3);
});

test('an answer sent before its wait is reached is kept, and the run takes it when it gets there', async () => {
  const env = environment();
  const args = runArgs('two', { order: 'C-3' }, ['--export', 'twoWaits']);
  expect((await runCli(args, { env })).code).toBe(0);
  // the run waits for the approval; the countersignature comes first
  const early = await runCli(['signal', 'two', 'countersign', '{"by": "lead"}'], { env });
  expect(early.code).toBe(0);
  expect(early.stderr).toContain('run two does not wait for "countersign" yet (it waits for "approval"); the answer is kept until it reaches that wait');
  expect(storedRun(env, 'two')).toMatchObject({ status: 'waiting', waits: [{ name: 'approval' }] });
  // one signal, one resume: past the approval, the kept countersignature answers the second wait
  const done = await runCli(['signal', 'two', 'approval', '{"approved": true}'], { env });
  expect(done.code).toBe(0);
  expect(JSON.parse(done.stdout)).toEqual({ approved: true, countersigned: true });
  expect(prompts()).toHaveLength(1);
});

test('a durable sleep keeps the run waiting until it is due; braid resume then goes on', async () => {
  const env = environment();
  const sleeping = await runCli(runArgs('nap', { ms: 1500 }, ['--export', 'napping']), { env });
  expect(sleeping.code).toBe(0);
  expect(stderrLines(sleeping)).toEqual([expect.stringMatching(/^braid: run nap sleeps until \S+ \(\/napping#0\/sleep#0\); braid resume nap goes on once it is due$/)]);
  const run = storedRun(env, 'nap');
  expect(run).toMatchObject({ status: 'waiting', waits: [{ kind: 'sleep', name: 'sleep' }] });
  const due = Date.parse(run!.waits[0]!.deadline!);
  // the clock is the event here: resume once the due time has passed
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(due), { timeout: 10_000, interval: 50 });
  const resumed = await runCli(['resume', 'nap'], { env });
  expect(resumed.code).toBe(0);
  expect(Object.keys(JSON.parse(resumed.stdout) as object)).toEqual(['before', 'after']);
  expect(prompts().map((prompt) => prompt.includes('follow-up'))).toEqual([false, true]);
});

test('braid run refuses a module without a workflow and input that does not fit, before any call', async () => {
  const env = environment();
  const notWorkflow = await runCli(['run', join(REPOSITORY_ROOT, 'test', 'support', 'run-cli.ts'), ...shared.openaiArgs()], { env });
  expect(notWorkflow.code).toBe(2);
  expect(notWorkflow.stderr).toMatch(/has no workflow as its default export; export one made with defineBatchWorkflow/);
  const badInput = await runCli(['run', WORKFLOWS, '{"order": 7}', ...shared.openaiArgs()], { env });
  expect(badInput.code).toBe(2);
  expect(badInput.stderr).toMatch(/the input does not fit workflow refund/);
  expect(shared.server.stats().requests).toBe(0);
});
