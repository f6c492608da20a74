import { expect, onTestFinished, test, vi } from 'vitest';
import { startFakeProvider } from '../fake-provider/index.js';
import { makeTempDirectory, runCli, startCli } from '../support/run-cli.js';

test('braid view <run-id> opens that run in the console on loopback, and stops on Ctrl-C', async () => {
  const server = await startFakeProvider();
  onTestFinished(() => server.close());
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: makeTempDirectory() };
  const run = await runCli(['faq', '--questions', '2', '--json', '--run-id', 'to-view', '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL], { env });
  expect(run.code).toBe(0);

  const viewer = startCli(['view', 'to-view', '--no-open'], { env });
  await vi.waitFor(() => expect(viewer.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/runs\/to-view$/m), { timeout: 20_000 });
  const url = viewer.stdout().trim();
  expect((await fetch(url)).headers.get('content-type')).toContain('text/html');
  const data = (await (await fetch(new URL('/api/runs/to-view', url))).json()) as { runId: string; run: { status: string }; spans: { kind: string }[] };
  expect(data.runId).toBe('to-view');
  expect(data.run.status).toBe('done');
  expect(data.spans.filter((span) => span.kind === 'attempt').length).toBe(server.stats().requests);
  viewer.child.kill('SIGINT');
  expect((await viewer.result).code).toBe(0);
});

test('braid view of a malformed trace file is a usage error naming the line', async () => {
  const directory = makeTempDirectory();
  const file = `${directory}/broken.jsonl`;
  await import('node:fs/promises').then(({ writeFile }) => writeFile(file, '{"id":"a"}\nnot json\n'));
  const result = await runCli(['view', file, '--no-open']);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^braid: .*broken\.jsonl:\d/m);
});

test('braid view of an eval opens on its report, whose cases link to their part of the timeline', async () => {
  const server = await startFakeProvider({ rules: [{ match: 'Query: Charged twice', json: { intent: 'Billing Inquiry' } }] });
  onTestFinished(() => server.close());
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: makeTempDirectory() };
  const file = `${makeTempDirectory()}/set.jsonl`;
  await import('node:fs/promises').then(({ writeFile }) => writeFile(file, '{"q": "Charged twice", "intent": "Billing Inquiry"}\n{"q": "Opening hours", "intent": "General Question"}\n'));
  const run = await runCli(['eval', 'route', file, '--run-id', 'eval-to-view', '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL], { env });
  expect(run.code, run.stderr).toBe(0);

  const viewer = startCli(['view', 'eval-to-view', '--no-open'], { env });
  await vi.waitFor(() => expect(viewer.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/eval$/m), { timeout: 20_000 });
  const url = viewer.stdout().trim();
  expect((await fetch(url)).headers.get('content-type')).toContain('text/html');
  const report = (await (await fetch(new URL('/api/eval', url))).json()) as { eval: { id: string; kind: string }; cases: { label: string; path: string }[] };
  expect(report.eval).toMatchObject({ id: 'eval-to-view', kind: 'route' });
  // a case's timeline: only its own steps, each under its path
  const scoped = (await (await fetch(new URL(`/api/run?scope=${encodeURIComponent(report.cases[0]!.path)}`, url))).json()) as { spans: { kind: string; key?: string }[] };
  const steps = scoped.spans.filter((span) => span.kind === 'step');
  expect(steps).toHaveLength(1);
  expect(steps[0]!.key!.startsWith(`${report.cases[0]!.path}/`)).toBe(true);
  viewer.child.kill('SIGINT');
  expect((await viewer.result).code).toBe(0);
});

test('braid view with no run opens the list of runs; an unknown run id is a usage error', async () => {
  const env = { BRAID_HOME: makeTempDirectory() };
  const console = startCli(['view', '--no-open'], { env });
  await vi.waitFor(() => expect(console.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/m), { timeout: 20_000 });
  const url = console.stdout().trim();
  expect(await (await fetch(url)).text()).toContain('<h1>Runs</h1>');
  expect(await (await fetch(new URL('/api/runs', url))).json()).toEqual({ runs: [] });
  console.child.kill('SIGINT');
  expect((await console.result).code).toBe(0);

  const unknown = await runCli(['view', 'no-such-run', '--no-open'], { env });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^braid: no run no-such-run in .*; braid runs lists them$/m);
});

test('the console of braid view retries a failed run with this same braid: only the failed step calls the model again', async () => {
  const server = await startFakeProvider({ rules: [{ match: 'Which documents support this answer?', status: 400 }] });
  onTestFinished(() => server.close());
  const env = { OPENAI_API_KEY: 'sk-test', BRAID_HOME: makeTempDirectory() };
  const args = ['faq', 'samples/benefits-of-solar-energy.md', '--questions', '1', '--run-id', 'flaky', '--model', 'openai:gpt-4.1-mini', '--base-url', server.openaiBaseURL];
  expect((await runCli(args, { env })).code).toBe(1);
  server.configure({ rules: [] });
  server.reset();

  const console = startCli(['view', 'flaky', '--no-open'], { env });
  await vi.waitFor(() => expect(console.stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/runs\/flaky$/m), { timeout: 20_000 });
  const url = console.stdout().trim();
  const token = /<meta name="braid-token" content="([0-9a-f]{64})">/.exec(await (await fetch(url)).text())![1]!;
  const retry = await fetch(new URL('/api/runs/flaky/retry', url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-braid-token': token }, body: '{}' });
  expect(retry.status).toBe(202);
  const run = async () => (await (await fetch(new URL('/api/runs/flaky', url))).json()) as { run: { status: string }; child?: { exitCode?: number } };
  await vi.waitFor(async () => expect((await run()).child?.exitCode).toBe(0), { timeout: 60_000, interval: 250 });
  expect((await run()).run.status).toBe('done');
  expect(server.stats().timeline.map((entry) => entry.prompt.includes('Which documents support this answer?'))).toEqual([true]);
  console.child.kill('SIGINT');
  expect((await console.result).code).toBe(0);
});
