import { join } from 'node:path';
import { expect, onTestFinished, test, vi } from 'vitest';
import { openRunStore } from '../../src/store/run-store.js';
import { startFakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, startCli } from '../support/run-cli.js';

async function fakeServer(latencyMs: number) {
  const server = await startFakeProvider({ seed: 5, latencyMs });
  onTestFinished(() => server.close());
  return server;
}

function faqArgs(baseURL: string, extra: string[] = []): string[] {
  return ['faq', '--questions', '6', '--json', '--model', 'openai:gpt-4.1-mini', '--base-url', baseURL, '--concurrency', '2', ...extra];
}

test('a run killed with SIGKILL mid fan-out resumes, re-issuing only the calls not journaled', async () => {
  const home = makeTempDirectory();
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };

  // the same job, uninterrupted, on its own server: what the resumed run must reproduce
  const reference = await fakeServer(0);
  const uninterrupted = await runCli(faqArgs(reference.openaiBaseURL), { env });
  expect(uninterrupted.code).toBe(0);
  const totalCalls = reference.stats().requests;

  const server = await fakeServer(150);
  const killed = startCli(faqArgs(server.openaiBaseURL, ['--run-id', 'crash-me']), { env });
  // kill it once some answers are back and others are still on the wire
  await vi.waitFor(() => expect(server.stats().timeline.filter((request) => request.status === 200).length).toBeGreaterThanOrEqual(5), { timeout: 20_000, interval: 20 });
  killed.child.kill('SIGKILL');
  await killed.result;

  const store = openRunStore(join(home, 'runs.db'));
  const journaled = store.getRun('crash-me')!.stepsDone;
  expect(store.getRun('crash-me')!.status).toBe('interrupted');
  store.close();
  expect(journaled).toBeGreaterThan(0);
  expect(journaled).toBeLessThan(totalCalls);

  const before = server.stats().requests;
  const resumed = await runCli(['resume', 'crash-me'], { env });
  expect(resumed.code).toBe(0);
  const output = JSON.parse(resumed.stdout) as { faqs: unknown[]; summary: { replayedSteps: number; calls: number } };
  expect(output.faqs).toEqual((JSON.parse(uninterrupted.stdout) as { faqs: unknown[] }).faqs);
  expect(output.summary.replayedSteps).toBe(journaled);
  // only what was in flight or not started went on the wire again
  expect(server.stats().requests - before).toBe(totalCalls - journaled);
  expect(output.summary.calls).toBe(totalCalls - journaled);
});

test('a rerun with --cache is answered from the cache, free, and says so', async () => {
  const home = makeTempDirectory();
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };
  const server = await fakeServer(0);
  const first = await runCli(faqArgs(server.openaiBaseURL, ['--cache']), { env });
  expect(first.code).toBe(0);
  const calls = server.stats().requests;
  const second = await runCli(faqArgs(server.openaiBaseURL, ['--cache']), { env });
  expect(second.code).toBe(0);
  const summary = (JSON.parse(second.stdout) as { summary: { cacheHits: number; calls: number; costUsd: number } }).summary;
  expect(server.stats().requests).toBe(calls);
  expect(summary).toMatchObject({ cacheHits: calls, calls: 0, costUsd: 0 });
  expect(JSON.parse(second.stdout).faqs).toEqual(JSON.parse(first.stdout).faqs);
});

test('braid runs lists each run with its status, steps, tokens and cost', async () => {
  const home = makeTempDirectory();
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home };
  const server = await fakeServer(0);
  const done = await runCli(faqArgs(server.openaiBaseURL, ['--run-id', 'listed']), { env });
  expect(done.code).toBe(0);
  const steps = server.stats().requests; // every step of this run made one call
  const failing = await runCli(['faq', join(home, 'missing.md'), '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL], { env });
  expect(failing.code).toBe(2);

  const listed = await runCli(['runs', '--json'], { env });
  expect(listed.code).toBe(0);
  const runs = JSON.parse(listed.stdout) as { id: string; workflow: string; status: string; stepsDone: number; stepsTotal: number; inputTokens: number; costUsd: number }[];
  const run = runs.find((candidate) => candidate.id === 'listed');
  // a finished run's total is what it did: 13 planned (questions, then answer and sources for each of 6), more after a top-up
  expect(run).toMatchObject({ workflow: 'faq', status: 'done', stepsDone: steps, stepsTotal: steps });
  expect(steps).toBeGreaterThanOrEqual(13);
  expect(run!.inputTokens).toBeGreaterThan(0);
  expect(run!.costUsd).toBeGreaterThan(0);

  const table = await runCli(['runs'], { env });
  expect(table.stdout).toMatch(/^RUN\s+WORKFLOW\s+STATUS\s+STARTED\s+STEPS\s+TOKENS\s+COST$/m);
  expect(table.stdout).toMatch(new RegExp(`listed\\s+faq\\s+done\\s+\\S+ \\S+\\s+${steps}/${steps}\\s`));
});

test('--resume with an unknown run id is a usage error', async () => {
  const home = makeTempDirectory();
  const server = await fakeServer(0);
  const result = await runCli(faqArgs(server.openaiBaseURL, ['--resume', 'nope']), { env: { OPENAI_API_KEY: 'sk-test', BRAID_HOME: home } });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/no run nope to resume/);
});
